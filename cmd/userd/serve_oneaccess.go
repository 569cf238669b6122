package main

import "flag"

// oneAccessConfig is the settings of the OneAccess tenant API family
// (tenant v2, docs/api/tenant-v2.md).
type oneAccessConfig struct {
	mobileOptional bool
}

func (o *oneAccessConfig) define(f *flag.FlagSet) {
	f.BoolVar(&o.mobileOptional, "tenantv2-mobile-optional", false, "let the tenant v2 API create and change users without a mobile number (OneAccess requires one); a mobile given stays unique in its tenant")
}

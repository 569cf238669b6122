package directory

import "context"

type tenantKey struct{}

// WithTenant returns ctx carrying the tenant on whose behalf the work under
// it is done, so a resource shared by every tenant (the password hasher)
// can serve tenants fairly.
func WithTenant(ctx context.Context, tenantID int64) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenantID)
}

// TenantOf returns the tenant ctx carries (WithTenant), or 0 for none.
func TenantOf(ctx context.Context) int64 {
	id, _ := ctx.Value(tenantKey{}).(int64)
	return id
}

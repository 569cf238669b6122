package scim

import (
	"net/http"
	"strings"

	"github.com/userd/userd/internal/scim/filter"
)

// projection is the attributes or excludedAttributes of a read (RFC 7644
// §3.4.2.5), parsed once per request.
type projection struct {
	include, exclude []filter.Path
	core             string
}

func newProjection(core string, attrs, excluded []string) (projection, error) {
	p := projection{core: core}
	parse := func(list []string) ([]filter.Path, error) {
		out := make([]filter.Path, 0, len(list))
		for _, a := range list {
			pp, err := filter.ParsePath(a)
			if err != nil || pp.Filter != nil {
				return nil, errorf(http.StatusBadRequest, typeInvalidPath, "attributes: "+a+" is not an attribute path")
			}
			out = append(out, pp.Path)
		}
		return out, nil
	}
	var err error
	if p.include, err = parse(attrs); err != nil {
		return p, err
	}
	p.exclude, err = parse(excluded)
	return p, err
}

// apply returns d with only the attributes asked for (id and schemas
// always), or without the ones excluded.
func (p projection) apply(d doc) doc {
	if len(p.include) > 0 {
		out := doc{"id": d["id"], "schemas": d["schemas"]}
		for _, path := range p.include {
			copyPath(out, d, path, p.core)
		}
		return out
	}
	if len(p.exclude) > 0 {
		out := make(doc, len(d))
		for k, v := range d {
			out[k] = v
		}
		for _, path := range p.exclude {
			if strings.EqualFold(path.Attr, "id") || strings.EqualFold(path.Attr, "schemas") {
				continue // returned always
			}
			dropPath(out, path, p.core)
		}
		return out
	}
	return d
}

// container returns the object of d a path's attribute lives in: d for the
// core schema, the extension's object otherwise (nil when absent), and
// that object's key in d ("" for d itself).
func container(d doc, path filter.Path, core string) (doc, string) {
	if path.URI == "" || strings.EqualFold(path.URI, core) {
		return d, ""
	}
	for k, v := range d {
		if strings.EqualFold(k, path.URI) {
			obj, _ := v.(doc)
			return obj, k
		}
	}
	return nil, ""
}

func lookupKey(obj doc, name string) (string, bool) {
	for k := range obj {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

func copyPath(out, d doc, path filter.Path, core string) {
	// A whole extension named by its URN.
	if k, ok := lookupKey(d, path.String()); ok && strings.HasPrefix(strings.ToLower(k), "urn:") {
		out[k] = d[k]
		return
	}
	src, extKey := container(d, path, core)
	if src == nil {
		return
	}
	k, ok := lookupKey(src, path.Attr)
	if !ok {
		return
	}
	dst := out
	if extKey != "" {
		obj, _ := out[extKey].(doc)
		if obj == nil {
			obj = doc{}
			out[extKey] = obj
		}
		dst = obj
	}
	if path.Sub == "" {
		dst[k] = src[k]
		return
	}
	switch v := src[k].(type) {
	case doc:
		if sk, ok := lookupKey(v, path.Sub); ok {
			obj, _ := dst[k].(doc)
			if obj == nil {
				obj = doc{}
				dst[k] = obj
			}
			obj[sk] = v[sk]
		}
	case []any:
		els := make([]any, 0, len(v))
		for _, el := range v {
			if obj, ok := el.(doc); ok {
				if sk, ok := lookupKey(obj, path.Sub); ok {
					els = append(els, doc{sk: obj[sk]})
				}
			}
		}
		dst[k] = els
	}
}

func dropPath(d doc, path filter.Path, core string) {
	if k, ok := lookupKey(d, path.String()); ok && strings.HasPrefix(strings.ToLower(k), "urn:") {
		delete(d, k)
		return
	}
	src, extKey := container(d, path, core)
	if src == nil {
		return
	}
	k, ok := lookupKey(src, path.Attr)
	if !ok {
		return
	}
	if extKey != "" {
		// Copy the extension before changing it: d shares it.
		c := make(doc, len(src))
		for ek, ev := range src {
			c[ek] = ev
		}
		d[extKey], src = c, c
	}
	if path.Sub == "" {
		delete(src, k)
		return
	}
	if obj, ok := src[k].(doc); ok {
		c := make(doc, len(obj))
		for ok, ov := range obj {
			c[ok] = ov
		}
		if sk, found := lookupKey(c, path.Sub); found {
			delete(c, sk)
		}
		src[k] = c
	}
}

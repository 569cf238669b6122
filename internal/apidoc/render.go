package apidoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// The parts of an OpenAPI 3.1 document the reference page shows. Schemas
// stay generic maps: the page describes them, it does not interpret them.
type (
	openAPI struct {
		Info struct {
			Title, Version, Summary, Description string
		}
		Tags       []struct{ Name, Description string }
		Paths      map[string]map[string]json.RawMessage
		Components struct {
			Schemas         map[string]json.RawMessage
			Parameters      map[string]parameter
			Headers         map[string]header
			RequestBodies   map[string]requestBody
			Responses       map[string]response
			SecuritySchemes map[string]struct{ Type, Scheme, In, Name, Description string }
		}
	}
	operation struct {
		Tags        []string
		OperationID string
		Summary     string
		Description string
		Security    *[]map[string][]string
		Parameters  []parameter
		RequestBody *requestBody
		Responses   map[string]response
	}
	parameter struct {
		Ref         string `json:"$ref"`
		Name, In    string
		Description string
		Required    bool
		Schema      map[string]any
	}
	header struct {
		Ref         string `json:"$ref"`
		Description string
		Required    bool
		Schema      map[string]any
	}
	requestBody struct {
		Ref     string `json:"$ref"`
		Content map[string]mediaType
	}
	response struct {
		Ref         string `json:"$ref"`
		Description string
		Headers     map[string]header
		Content     map[string]mediaType
	}
	mediaType struct {
		Schema   map[string]any
		Example  any
		Examples map[string]struct{ Value any }
	}
)

// The page's view of the document: everything resolved, ordered and
// escaped, so the template only lays it out.
type (
	pageView struct {
		Title, Version, Summary string
		Description             template.HTML
		Groups                  []groupView
		Security                []rowView
		Schemas                 []schemaView
	}
	groupView struct {
		Name        string
		Description template.HTML
		Ops         []opView
	}
	opView struct {
		Anchor, Method, Path, Summary string
		Description                   template.HTML
		Security                      string
		Params                        []rowView
		Bodies                        []bodyView
		Responses                     []responseView
	}
	rowView struct {
		Name, In    string
		Type        template.HTML
		Required    bool
		Description template.HTML
	}
	bodyView struct {
		MediaType string
		Schema    template.HTML
		Examples  []string
	}
	responseView struct {
		Status      string
		Description template.HTML
		Headers     []rowView
		Bodies      []bodyView
	}
	schemaView struct {
		Name        string
		Description template.HTML
		Props       []rowView
		JSON        string
	}
)

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// render builds the HTML reference page from an OpenAPI document.
func render(data []byte) ([]byte, error) {
	var doc openAPI
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("decode the document: %w", err)
	}
	view := pageView{Title: doc.Info.Title, Version: doc.Info.Version, Summary: doc.Info.Summary, Description: prose(doc.Info.Description)}
	byTag := map[string]*groupView{}
	for _, t := range doc.Tags {
		view.Groups = append(view.Groups, groupView{Name: t.Name, Description: prose(t.Description)})
	}
	for i := range view.Groups {
		byTag[view.Groups[i].Name] = &view.Groups[i]
	}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, path := range paths {
		item := doc.Paths[path]
		var shared []parameter
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &shared); err != nil {
				return nil, fmt.Errorf("decode the parameters of %s: %w", path, err)
			}
		}
		for _, m := range methods {
			raw, ok := item[m]
			if !ok {
				continue
			}
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("decode %s %s: %w", m, path, err)
			}
			ov, err := doc.operationView(m, path, shared, op)
			if err != nil {
				return nil, err
			}
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			g, ok := byTag[tag]
			if !ok {
				return nil, fmt.Errorf("%s %s has tag %q, which the document does not declare", m, path, tag)
			}
			g.Ops = append(g.Ops, ov)
		}
	}
	for _, name := range sortedKeys(doc.Components.SecuritySchemes) {
		s := doc.Components.SecuritySchemes[name]
		kind := s.Type
		switch {
		case s.Scheme != "":
			kind += " " + s.Scheme
		case s.Name != "":
			kind += " in " + s.In + " " + s.Name
		}
		view.Security = append(view.Security, rowView{Name: name, Type: template.HTML(html.EscapeString(kind)), Description: prose(s.Description)})
	}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		sv, err := schemaViewOf(name, doc.Components.Schemas[name])
		if err != nil {
			return nil, err
		}
		view.Schemas = append(view.Schemas, sv)
	}
	var out bytes.Buffer
	if err := pageTemplate.Execute(&out, view); err != nil {
		return nil, fmt.Errorf("execute the page template: %w", err)
	}
	return out.Bytes(), nil
}

func (doc *openAPI) operationView(method, path string, shared []parameter, op operation) (opView, error) {
	ov := opView{Anchor: op.OperationID, Method: strings.ToUpper(method), Path: path, Summary: op.Summary, Description: prose(op.Description)}
	ov.Security = "none"
	if op.Security != nil {
		var alts []string
		for _, req := range *op.Security {
			if len(req) == 0 {
				alts = append(alts, "none")
				continue
			}
			alts = append(alts, strings.Join(sortedKeys(req), " + "))
		}
		ov.Security = strings.Join(alts, " or ")
	}
	for _, p := range append(slices.Clone(shared), op.Parameters...) {
		p, err := resolve(p.Ref, p, doc.Components.Parameters)
		if err != nil {
			return opView{}, fmt.Errorf("%s %s: %w", ov.Method, path, err)
		}
		ov.Params = append(ov.Params, rowView{Name: p.Name, In: p.In, Type: typeOf(p.Schema), Required: p.Required, Description: prose(p.Description)})
	}
	if rb := op.RequestBody; rb != nil {
		body, err := resolve(rb.Ref, *rb, doc.Components.RequestBodies)
		if err != nil {
			return opView{}, fmt.Errorf("%s %s: %w", ov.Method, path, err)
		}
		ov.Bodies = bodyViews(body.Content)
	}
	for _, status := range sortedKeys(op.Responses) {
		r, err := resolve(op.Responses[status].Ref, op.Responses[status], doc.Components.Responses)
		if err != nil {
			return opView{}, fmt.Errorf("%s %s: %w", ov.Method, path, err)
		}
		rv := responseView{Status: status, Description: prose(r.Description), Bodies: bodyViews(r.Content)}
		for _, name := range sortedKeys(r.Headers) {
			h, err := resolve(r.Headers[name].Ref, r.Headers[name], doc.Components.Headers)
			if err != nil {
				return opView{}, fmt.Errorf("%s %s: %w", ov.Method, path, err)
			}
			rv.Headers = append(rv.Headers, rowView{Name: name, Type: typeOf(h.Schema), Required: h.Required, Description: prose(h.Description)})
		}
		ov.Responses = append(ov.Responses, rv)
	}
	return ov, nil
}

func bodyViews(content map[string]mediaType) []bodyView {
	var out []bodyView
	for _, mt := range sortedKeys(content) {
		m := content[mt]
		bv := bodyView{MediaType: mt, Schema: typeOf(m.Schema)}
		if m.Example != nil {
			bv.Examples = append(bv.Examples, indent(m.Example))
		}
		for _, name := range sortedKeys(m.Examples) {
			bv.Examples = append(bv.Examples, indent(m.Examples[name].Value))
		}
		out = append(out, bv)
	}
	return out
}

// schemaViewOf describes a named schema, its properties in the order the
// document lists them (the order of the wire objects).
func schemaViewOf(name string, raw json.RawMessage) (schemaView, error) {
	var s map[string]any
	var order struct{ Properties orderedKeys }
	if err := json.Unmarshal(raw, &s); err != nil {
		return schemaView{}, fmt.Errorf("decode schema %s: %w", name, err)
	}
	if err := json.Unmarshal(raw, &order); err != nil {
		return schemaView{}, fmt.Errorf("decode the properties of schema %s: %w", name, err)
	}
	sv := schemaView{Name: name, Description: prose(str(s["description"])), JSON: indent(s)}
	props, _ := s["properties"].(map[string]any)
	required, _ := s["required"].([]any)
	for _, p := range order.Properties {
		ps, _ := props[p].(map[string]any)
		sv.Props = append(sv.Props, rowView{Name: p, Type: typeOf(ps), Required: slices.Contains(required, any(p)), Description: prose(str(ps["description"]))})
	}
	return sv, nil
}

// orderedKeys decodes a JSON object's keys in the order they appear.
type orderedKeys []string

func (k *orderedKeys) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("want a JSON object, got %s", data)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		*k = append(*k, key.(string)) // an object's tokens alternate key, value
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

// typeOf describes a schema in a few words, linking to named schemas.
func typeOf(s map[string]any) template.HTML {
	if s == nil {
		return "any"
	}
	if ref, ok := s["$ref"].(string); ok {
		name := html.EscapeString(refName(ref))
		return template.HTML(`<a href="#schema-` + name + `">` + name + `</a>`)
	}
	for _, key := range []string{"oneOf", "anyOf", "allOf"} {
		if alts, ok := s[key].([]any); ok {
			sep := map[string]string{"oneOf": " | ", "anyOf": " | ", "allOf": " & "}[key]
			var parts []string
			for _, a := range alts {
				as, _ := a.(map[string]any)
				parts = append(parts, string(typeOf(as)))
			}
			return template.HTML(strings.Join(parts, sep))
		}
	}
	if c, ok := s["const"]; ok {
		return template.HTML("<code>" + html.EscapeString(compact(c)) + "</code>")
	}
	var out string
	switch t := s["type"].(type) {
	case string:
		out = t
	case []any:
		var parts []string
		for _, x := range t {
			parts = append(parts, str(x))
		}
		out = strings.Join(parts, " | ")
	default:
		out = "any"
	}
	out = html.EscapeString(out)
	if items, ok := s["items"].(map[string]any); ok {
		out = strings.Replace(out, "array", "array of "+string(typeOf(items)), 1)
	}
	if enum, ok := s["enum"].([]any); ok {
		var vals []string
		for _, v := range enum {
			vals = append(vals, "<code>"+html.EscapeString(compact(v))+"</code>")
		}
		out += ": one of " + strings.Join(vals, ", ")
	}
	for _, k := range []string{"format", "pattern", "minimum", "maximum", "minLength", "maxLength", "maxItems", "default"} {
		v, ok := s[k]
		if !ok {
			continue
		}
		text, isString := v.(string)
		if !isString {
			text = compact(v)
		}
		out += ", " + k + " <code>" + html.EscapeString(text) + "</code>"
	}
	return template.HTML(out)
}

var inlineCode = regexp.MustCompile("`([^`]+)`")

// prose escapes description text, keeping its `code` spans and paragraphs.
func prose(s string) template.HTML {
	s = html.EscapeString(strings.TrimSpace(s))
	s = inlineCode.ReplaceAllString(s, "<code>$1</code>")
	return template.HTML(strings.ReplaceAll(s, "\n\n", "<br><br>"))
}

// resolve returns v, or the component its $ref names when ref is set.
func resolve[T any](ref string, v T, components map[string]T) (T, error) {
	if ref == "" {
		return v, nil
	}
	c, ok := components[refName(ref)]
	if !ok {
		return c, fmt.Errorf("unresolved reference %s", ref)
	}
	return c, nil
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

func str(v any) string {
	s, _ := v.(string)
	return s
}

func compact(v any) string {
	b, _ := json.Marshal(v) // values decoded from JSON always encode
	return string(b)
}

func indent(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ") // values decoded from JSON always encode
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} API reference</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1d1d1f; }
nav { position: fixed; top: 0; bottom: 0; width: 280px; overflow-y: auto; padding: 1em; background: #f5f5f7; box-sizing: border-box; font-size: 13px; }
nav ul { list-style: none; padding-left: .5em; }
main { margin-left: 300px; padding: 1em 2em; max-width: 980px; }
h2 { border-bottom: 2px solid #ddd; padding-top: 1em; }
section.op { border: 1px solid #ddd; border-radius: 6px; padding: .5em 1em; margin: 1.5em 0; }
.method { display: inline-block; min-width: 4.5em; font-weight: bold; font-family: monospace; }
.GET { color: #0a7d32; } .POST { color: #0b5cad; } .PUT, .PATCH { color: #a35d00; } .DELETE { color: #b3261e; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #eee; padding: 4px 8px; }
code, pre { font-family: ui-monospace, monospace; font-size: 13px; }
pre { background: #f5f5f7; padding: .5em; overflow-x: auto; }
.req { color: #b3261e; }
</style>
</head>
<body>
<nav>
<strong>{{.Title}} {{.Version}}</strong>
<ul>
{{- range .Groups}}
<li><a href="#tag-{{.Name}}">{{.Name}}</a><ul>
{{- range .Ops}}<li><a href="#{{.Anchor}}"><span class="method {{.Method}}">{{.Method}}</span> {{.Path}}</a></li>{{end}}
</ul></li>
{{- end}}
<li><a href="#security">Security schemes</a></li>
<li><a href="#schemas">Schemas</a></li>
</ul>
<p><a href="/openapi.json">openapi.json</a></p>
</nav>
<main>
<h1>{{.Title}} API reference</h1>
<p>{{.Summary}}</p>
<p>{{.Description}}</p>
{{range .Groups}}
<h2 id="tag-{{.Name}}">{{.Name}}</h2>
<p>{{.Description}}</p>
{{range .Ops}}
<section class="op" id="{{.Anchor}}">
<h3><span class="method {{.Method}}">{{.Method}}</span> <code>{{.Path}}</code></h3>
<p><strong>{{.Summary}}</strong></p>
<p>{{.Description}}</p>
<p>Security: <code>{{.Security}}</code></p>
{{- if .Params}}
<h4>Parameters</h4>
<table><tr><th>name</th><th>in</th><th>type</th><th>description</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code>{{if .Required}} <span class="req">required</span>{{end}}</td><td>{{.In}}</td><td>{{.Type}}</td><td>{{.Description}}</td></tr>
{{end}}</table>
{{- end}}
{{- if .Bodies}}
<h4>Request body</h4>
{{range .Bodies}}<p><code>{{.MediaType}}</code>: {{.Schema}}</p>{{range .Examples}}<pre>{{.}}</pre>{{end}}{{end}}
{{- end}}
<h4>Responses</h4>
<table><tr><th>status</th><th>description</th></tr>
{{range .Responses}}<tr><td><strong>{{.Status}}</strong></td><td>{{.Description}}
{{range .Bodies}}<p><code>{{.MediaType}}</code>: {{.Schema}}</p>{{range .Examples}}<pre>{{.}}</pre>{{end}}{{end}}
{{if .Headers}}<table><tr><th>header</th><th>type</th><th>description</th></tr>{{range .Headers}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
</td></tr>
{{end}}</table>
</section>
{{end}}
{{end}}
<h2 id="security">Security schemes</h2>
<table><tr><th>name</th><th>kind</th><th>description</th></tr>
{{range .Security}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{.Description}}</td></tr>
{{end}}</table>
<h2 id="schemas">Schemas</h2>
{{range .Schemas}}
<section class="schema" id="schema-{{.Name}}">
<h3>{{.Name}}</h3>
<p>{{.Description}}</p>
{{- if .Props}}
<table><tr><th>property</th><th>type</th><th>description</th></tr>
{{range .Props}}<tr><td><code>{{.Name}}</code>{{if .Required}} <span class="req">required</span>{{end}}</td><td>{{.Type}}</td><td>{{.Description}}</td></tr>
{{end}}</table>
{{- end}}
<details><summary>JSON Schema</summary><pre>{{.JSON}}</pre></details>
</section>
{{end}}
</main>
</body>
</html>
`))

// Package apidoctest checks HTTP exchanges against userd's OpenAPI 3.1
// document (package apidoc) with kin-openapi's validator, so a golden or
// end-to-end test fails when the API answers a status, header or field the
// document does not describe. Only tests import it, which keeps the
// validator out of the userd binary.
package apidoctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/userd/userd/internal/apidoc"
)

// ErrorsAs200 is the operation extension that marks an API answering
// errors with HTTP 200 (user-info v1). Its value is the $ref of the error
// schema: a request the document rejects may get a 200 there, with a body
// of that schema.
const ErrorsAs200 = "x-userd-errors-as-200"

// Load parses and validates the embedded document as OpenAPI 3.1.
func Load(ctx context.Context) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(apidoc.Document())
	if err != nil {
		return nil, fmt.Errorf("load openapi.json: %w", err)
	}
	if !doc.IsOpenAPI31OrLater() || doc.IsOpenAPI32OrLater() {
		return nil, fmt.Errorf("openapi.json declares OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(ctx, openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("validate openapi.json: %w", err)
	}
	return doc, nil
}

// router is built once per test binary: loading and validating the
// document costs more than the exchanges it checks.
var router = sync.OnceValues(func() (routers.Router, error) {
	doc, err := Load(context.Background())
	if err != nil {
		return nil, err
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if ref, ok := op.Extensions[ErrorsAs200].(string); ok {
				s := doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
				if s == nil {
					return nil, fmt.Errorf("%s %s: %s names no schema: %q", method, path, ErrorsAs200, ref)
				}
				op.Extensions[ErrorsAs200] = s.Value
			}
		}
	}
	// Route by path alone: tests call handlers at example.com or on a
	// random port, not at the document's example server.
	doc.Servers = nil
	// The reference page is text; kin-openapi has no decoder for HTML.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	return legacy.NewRouter(doc)
})

// Check validates one exchange: the request r, whose body was reqBody, and
// the response with status, header and body. The response must be one the
// document describes for r's operation, exactly. A request the document
// rejects must be answered with an error (status 400 or above, or a
// documented error of an operation marked ErrorsAs200).
func Check(t testing.TB, r *http.Request, reqBody []byte, status int, header http.Header, body []byte) {
	t.Helper()
	if err := check(r, reqBody, status, header, body); err != nil {
		t.Errorf("%s %s → %d: the exchange does not match openapi.json (fix the API or the document): %v", r.Method, r.URL.RequestURI(), status, err)
	}
}

func check(r *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	rt, err := router()
	if err != nil {
		return err
	}
	r = r.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := rt.FindRoute(r)
	if err != nil {
		if routerAnswer(err, status, header, body) {
			return nil
		}
		return fmt.Errorf("find the operation: %w", err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: presentCredential, MultiError: true},
	}
	if reqErr := openapi3filter.ValidateRequest(context.Background(), in); reqErr != nil && status < 400 {
		errorSchema, ok := route.Operation.Extensions[ErrorsAs200].(*openapi3.Schema)
		if !ok {
			return fmt.Errorf("the request does not match the document, yet got status %d: %w", status, reqErr)
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return fmt.Errorf("the request does not match the document, yet got status %d and a body that is not JSON: %w", status, err)
		}
		if err := errorSchema.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
			return fmt.Errorf("the request does not match the document (%w), yet got status %d without an error body: %w", reqErr, status, err)
		}
	}
	resp := route.Operation.Responses.Status(status)
	if resp == nil {
		return fmt.Errorf("status %d is not documented for %s %s", status, route.Method, route.Path)
	}
	if len(resp.Value.Content) == 0 && len(body) > 0 {
		return fmt.Errorf("status %d is documented without a body, yet got %q", status, body)
	}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
}

// routerAnswer reports whether a request the document has no operation for
// got what the document's introduction promises for it: the HTTP router's
// plain-text 404 for an unknown path, or 405 for an unsupported method.
// (kin-openapi's router cannot tell the two apart for templated paths.)
func routerAnswer(findErr error, status int, header http.Header, body []byte) bool {
	var re *routers.RouteError
	if !errors.As(findErr, &re) || !strings.HasPrefix(header.Get("Content-Type"), "text/plain") {
		return false
	}
	switch status {
	case http.StatusNotFound:
		return string(body) == "404 page not found\n"
	case http.StatusMethodNotAllowed:
		return string(body) == "Method Not Allowed\n" && header.Get("Allow") != ""
	}
	return false
}

// presentCredential checks that a request carries the credential a security
// scheme names; whether it is valid is the API's business, and the
// response check sees what the API answered.
func presentCredential(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	h := in.RequestValidationInput.Request.Header
	switch s.Type {
	case "http":
		scheme, cred, _ := strings.Cut(h.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, s.Scheme) || strings.TrimSpace(cred) == "" {
			return fmt.Errorf("no Authorization: %s credential", s.Scheme)
		}
	case "apiKey":
		if strings.TrimSpace(h.Get(s.Name)) == "" {
			return fmt.Errorf("no %s header", s.Name)
		}
	default:
		return errors.New("unsupported security scheme type " + s.Type)
	}
	return nil
}

// Transport returns a RoundTripper that sends each request through next
// (http.DefaultTransport when nil) and checks the exchange with Check, so
// tests of a Go client of userd prove the client speaks the documented API.
func Transport(t testing.TB, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return checkingTransport{t: t, next: next}
}

type checkingTransport struct {
	t    testing.TB
	next http.RoundTripper
}

func (c checkingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var reqBody []byte
	if r.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(r.Body); err != nil {
			return nil, fmt.Errorf("apidoctest: read the request body: %w", err)
		}
		_ = r.Body.Close()
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := c.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("apidoctest: read the response body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	Check(c.t, r, reqBody, resp.StatusCode, resp.Header, body)
	return resp, nil
}

package apidoc_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/apidoc"
)

// redocly is Redocly CLI, installed from lint/package-lock.json by
// `npm ci --prefix internal/apidoc/lint` (.ci/run does it).
var redocly = filepath.Join("lint", "node_modules", ".bin", "redocly")

// TestLintOpenAPI lints openapi.json with Redocly CLI, a third-party
// OpenAPI linter, under lint/redocly.yaml: every finding of its
// recommended rules fails the test, among them an operation with no
// security declared. It runs offline. A missing linter fails the test
// rather than skipping it, so CI cannot pass without linting.
func TestLintOpenAPI(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not installed: install Node.js 20.19 or later, then run `npm ci --prefix internal/apidoc/lint`")
	}
	if _, err := os.Stat(redocly); err != nil {
		t.Fatalf("Redocly CLI is not installed (%v): run `npm ci --prefix internal/apidoc/lint`", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, redocly, "lint", "--config", filepath.Join("lint", "redocly.yaml"), "--format", "stylish", "openapi.json")
	// No telemetry and no update check: the test must not reach the network.
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redocly lint openapi.json: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "openapi.json: validated") {
		t.Fatalf("redocly lint printed no verdict on openapi.json:\n%s", out)
	}
}

// TestNoSiblingsBesideRef checks that no object of openapi.json puts
// keywords beside a $ref other than summary and description. OpenAPI 3.1
// allows it, but Prism and several code generators drop the siblings and
// see only the referenced schema; narrow a schema with allOf instead, as
// the admin problem schemas do.
func TestNoSiblingsBesideRef(t *testing.T) {
	var doc any
	if err := json.Unmarshal(apidoc.Document(), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(pointer string, v any)
	walk = func(pointer string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if _, ok := v["$ref"]; ok {
				var extra []string
				for k := range v {
					if k != "$ref" && k != "summary" && k != "description" {
						extra = append(extra, k)
					}
				}
				if len(extra) > 0 {
					sort.Strings(extra)
					t.Errorf("%s: got %s beside $ref; wrap them as allOf: [{$ref}, {...}]", pointer, strings.Join(extra, ", "))
				}
			}
			for k, child := range v {
				walk(pointer+"/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(k), child)
			}
		case []any:
			for i, child := range v {
				walk(pointer+"/"+strconv.Itoa(i), child)
			}
		}
	}
	walk("#", doc)
}

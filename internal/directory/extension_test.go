package directory

import (
	"reflect"
	"testing"
)

var extensionSeeds = []string{
	`{}`, ` { } `, `{"role_id":2,"level_id":6}`, `{"a": "b", "c" : true, "d":false, "e":null}`,
	`{"n":-0.5e+10,"m":0,"k":12.25E-3,"z":-0}`, `{"a":1,"a":2}`, `{"é":"ü"}`,
	`{"a":"\u00e9"}`, `{"a":"x\"y"}`, `{"a":{"b":1}}`, `{"a":[1,2]}`, `{"a":01}`, `{"a":1.}`,
	`{"a":-}`, `{"a":1e}`, `{"a":tru}`, `{"a":1,}`, `{"a" 1}`, `{"a":1} x`, `{"a":1}}`, `null`,
	`[]`, `"s"`, ``, `{`, "{\"a\":\"\xff\"}", "{\"a\":\"\t\"}", `{"a":"` + "\u2028" + `"}`,
	`{"a":1,"b":"two","c":3.5,"d":true,"e":false,"f":null,"g":"x","h":"y","i":"z"}`,
}

// TestDecodeExtensionFastPath checks that the fast path takes the plain
// objects and reads them as encoding/json does, and leaves the rest to it.
func TestDecodeExtensionFastPath(t *testing.T) {
	for _, data := range []string{`{}`, ` { } `, `{"role_id":2,"level_id":6}`, `{"a": "b", "c" : true, "d":false, "e":null}`, `{"n":-0.5e+10,"m":0}`, `{"a":1,"a":2}`, `{"é":"ü"}`} {
		got, ok := decodeFlatExtension(data)
		want, err := decodeExtensionJSON(data)
		if !ok || err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("decodeFlatExtension(%q) = %#v, %v; want %#v from encoding/json (error %v)", data, got, ok, want, err)
		}
	}
	for _, data := range []string{`{"a":"\u00e9"}`, `{"a":{"b":1}}`, `{"a":[1]}`, `{"a":01}`, `{"a":1} x`, `null`, ``, "{\"a\":\"\xff\"}"} {
		if got, ok := decodeFlatExtension(data); ok {
			t.Errorf("decodeFlatExtension(%q) = %#v, want it left to encoding/json", data, got)
		}
	}
}

// FuzzDecodeExtension checks DecodeExtension against encoding/json on any
// text: the same map, or an error where encoding/json has one.
func FuzzDecodeExtension(f *testing.F) {
	for _, s := range extensionSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		got, err := DecodeExtension(data)
		want, wantErr := decodeExtensionJSON(data)
		if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeExtension(%q) = %#v, %v; encoding/json reads %#v, %v", data, got, err, want, wantErr)
		}
	})
}

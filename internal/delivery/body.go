package delivery

import (
	"bytes"
	"encoding/json"
)

// jsonBody encodes v without HTML escaping and without a trailing newline,
// exactly the bytes that are signed and sent.
func jsonBody(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

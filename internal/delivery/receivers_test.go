package delivery

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/userd/userd/internal/oneaccess"
)

// oneAccessApp is an application as OneAccess expects it: it checks the
// bearer token and the signature, decrypts data, echoes CHECK_URL, and
// answers creates with its own ids.
type oneAccessApp struct {
	token, signKey, encKey string
	// echoWrong makes it answer CHECK_URL with another string.
	echoWrong bool

	mu       sync.Mutex
	received []receivedCallback
	nextID   int
}

type receivedCallback struct {
	EventType string
	Data      map[string]any
}

func (a *oneAccessApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+a.token {
		http.Error(w, "bad token", http.StatusUnauthorized)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var cb oneaccess.Callback
	if err := json.Unmarshal(body, &cb); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if oneaccess.Sign(a.signKey, cb.Nonce, cb.Timestamp, cb.EventType, cb.Data) != cb.Signature {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	data := []byte(cb.Data)
	if a.encKey != "" {
		var err error
		if data, err = oneaccess.Decrypt(a.encKey, cb.Data); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	answer := map[string]any{"code": "200", "message": "success"}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch cb.EventType {
	case oneaccess.CheckURL:
		answer["data"] = string(data)
		if a.echoWrong {
			answer["data"] = "something else"
		}
	default:
		var d map[string]any
		json.Unmarshal(data, &d)
		a.received = append(a.received, receivedCallback{cb.EventType, d})
		if cb.EventType == oneaccess.CreateUser || cb.EventType == oneaccess.CreateOrganization {
			a.nextID++
			answer["data"] = map[string]any{"id": "app-" + strconv.Itoa(a.nextID)}
		}
	}
	json.NewEncoder(w).Encode(answer)
}

func (a *oneAccessApp) callbacks() []receivedCallback {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]receivedCallback(nil), a.received...)
}

func startOneAccessApp(t *testing.T, a *oneAccessApp) string {
	t.Helper()
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return srv.URL
}

package webhook

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The test vector of the Standard Webhooks reference libraries.
const (
	vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTS     = 1614265330
	vectorBody   = `{"test": 2432232314}`
	vectorSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignMatchesStandardWebhooksVector(t *testing.T) {
	h := http.Header{}
	key := mustKey(t, vectorSecret)
	SetHeaders(h, key, vectorID, time.Unix(vectorTS, 0), []byte(vectorBody))
	if got := h.Get(HeaderSignature); got != vectorSig {
		t.Errorf("signature: got %s, want %s", got, vectorSig)
	}
	if err := Verify(vectorSecret, h, []byte(vectorBody), time.Unix(vectorTS+10, 0)); err != nil {
		t.Errorf("Verify of the vector: %v", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	good := http.Header{}
	SetHeaders(good, mustKey(t, vectorSecret), vectorID, time.Unix(vectorTS, 0), []byte(vectorBody))
	now := time.Unix(vectorTS, 0)
	tests := []struct {
		name   string
		edit   func(h http.Header)
		body   string
		now    time.Time
		reason string
	}{
		{"tampered body", func(http.Header) {}, `{"test": 1}`, now, "no signature matches"},
		{"other id", func(h http.Header) { h.Set(HeaderID, "msg_other") }, vectorBody, now, "no signature matches"},
		{"old", func(http.Header) {}, vectorBody, now.Add(Tolerance + time.Second), "too far"},
		{"missing header", func(h http.Header) { h.Del(HeaderSignature) }, vectorBody, now, "missing"},
	}
	for _, tc := range tests {
		h := good.Clone()
		tc.edit(h)
		if err := Verify(vectorSecret, h, []byte(tc.body), tc.now); err == nil || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: got %v, want an error saying %q", tc.name, err, tc.reason)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(vectorID, "1614265330", vectorSig, vectorBody)
	f.Fuzz(func(t *testing.T, id, ts, sig, body string) {
		h := http.Header{}
		h.Set(HeaderID, id)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, sig)
		_ = Verify(vectorSecret, h, []byte(body), time.Unix(vectorTS, 0))
	})
}

func mustKey(t *testing.T, secret string) []byte {
	t.Helper()
	key, err := keyOf(secret)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

package auth

import (
	"context"
	"strings"
	"testing"
)

// Known answers from the formats' reference implementations: passlib 1.7.4
// (django_pbkdf2_sha256, django_pbkdf2_sha1, phpass, md5_crypt), Werkzeug
// 3.1.8 (generate_password_hash), OpenSSL (openssl passwd -1), and the test
// vector of phpass's own test.php.
var legacyVectors = []struct{ name, hash, password string }{
	{"django_pbkdf2_sha256", "pbkdf2_sha256$1000$seasalt$JgZryXe2Ga8ysg6XbzkLpTdyPQrHqsinbL9BnnhgX4A=", "lètmein"},
	{"django_pbkdf2_sha256_1000000", "pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=", "lètmein"},
	{"django_pbkdf2_sha1", "pbkdf2_sha1$1000$seasalt$ljleU4wBmTtz/MoG5YTwxpM0d7I=", "lètmein"},
	{"werkzeug_sha256", "pbkdf2:sha256:1000$PMr8sdnH$52699a2eaeb20d9218931b9a93bf00e66acb7764e38b379ffd3510cc254f4cf8", "werkzeug pw"},
	{"werkzeug_sha1", "pbkdf2:sha1:1000$HvnEhLfj$e34a7d02c39d826dc543afbd2bc6a1426cf7d461", "werkzeug pw"},
	{"werkzeug_sha512", "pbkdf2:sha512:1000$xahmnkjs$e91fb9f548e3de45e3e912b1aa70e0653bd48f04dc278c7c2dc88a27c0673ce99e897a855644d7fcf99155cc226bd03b633a933c3a9820ce27a97171694828b2", "werkzeug pw"},
	{"werkzeug_default", "pbkdf2:sha256:1000000$DhmmGIHm$6bdac9ac2a577e02801ede8f44f737c0f9c037c878cb79e7d6cce658f582f6d3", "werkzeug pw"},
	{"phpass_test_php", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "test12345"},
	{"phpass_P", "$P$6abcdefghGidkJHfdpg7YCnyoqt.oa1", "hunter2 pw"},
	{"phpass_H", "$H$6abcdefghGidkJHfdpg7YCnyoqt.oa1", "hunter2 pw"},
	{"md5crypt_openssl", "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/", "password"},
	{"md5crypt_empty_salt", "$1$$ObZkFeusGD7Pq0bDVWvPA/", "empty salt"},
	{"md5crypt_utf8", "$1$ab$bRZzLnQPD1ql12pSoshc71", "pässwörd"},
}

func TestVerifyLegacyHashes(t *testing.T) {
	h := newTestHasher(t, HashParams{}, 0)
	ctx := context.Background()
	for _, v := range legacyVectors {
		t.Run(v.name, func(t *testing.T) {
			if err := h.CheckHash(v.hash); err != nil {
				t.Fatalf("CheckHash: %v", err)
			}
			if !h.NeedsRehash(v.hash) {
				t.Error("NeedsRehash: got false, want true: userd never keeps this form")
			}
			for pw, want := range map[string]bool{v.password: true, v.password + "x": false, "": false, strings.Repeat("a", 80): false} {
				got, err := h.VerifyPassword(ctx, pw, v.hash)
				if err != nil || got != want {
					t.Errorf("VerifyPassword(%q): got %v, %v; want %v", pw, got, err, want)
				}
			}
		})
	}
}

// TestLegacyHashBounds checks the cost bounds one step inside and outside,
// and malformed hashes.
func TestLegacyHashBounds(t *testing.T) {
	h := newTestHasher(t, HashParams{}, 0)
	b64 := "JgZryXe2Ga8ysg6XbzkLpTdyPQrHqsinbL9BnnhgX4A="
	hex := "52699a2eaeb20d9218931b9a93bf00e66acb7764e38b379ffd3510cc254f4cf8"
	tests := []struct {
		hash string
		ok   bool
	}{
		{"pbkdf2_sha256$4000000$s$" + b64, true},
		{"pbkdf2_sha256$4000001$s$" + b64, false},
		{"pbkdf2_sha256$0$s$" + b64, false},
		{"pbkdf2_sha256$01000$s$" + b64, false},
		{"pbkdf2_sha256$1000$$" + b64, false},
		{"pbkdf2_sha256$1000$" + strings.Repeat("s", 256) + "$" + b64, true},
		{"pbkdf2_sha256$1000$" + strings.Repeat("s", 257) + "$" + b64, false},
		{"pbkdf2_md5$1000$s$" + b64, false},
		{"pbkdf2_sha1$1000$s$" + b64, false}, // a SHA-256-sized hash
		{"pbkdf2_sha256$1000$s$not base64!", false},
		{"pbkdf2_sha256$1000$s", false},
		{"pbkdf2:sha256:4000000$s$" + hex, true},
		{"pbkdf2:sha256:4000001$s$" + hex, false},
		{"pbkdf2:sha256$s$" + hex, false}, // iterations left out
		{"pbkdf2:sha256:1000$s$" + strings.ToUpper(hex), false},
		{"pbkdf2:sha256:1000$s$" + hex[2:], false},
		{"$P$5abcdefghGidkJHfdpg7YCnyoqt.oa1", true},  // 2^7
		{"$P$4abcdefghGidkJHfdpg7YCnyoqt.oa1", false}, // 2^6
		{"$P$KabcdefghGidkJHfdpg7YCnyoqt.oa1", true},  // 2^22
		{"$P$LabcdefghGidkJHfdpg7YCnyoqt.oa1", false}, // 2^23
		{"$P$6abcdefghGidkJHfdpg7YCnyoqt.oa", false},
		{"$P$6abcdefghGidkJHfdpg7YCnyoqt.o!1", false},
		{"$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/", true},
		{"$1$saltsalts$qjXMvbEw8oaL.CzflDtaK/", false},
		{"$1$saltsalt$qjXMvbEw8oaL.CzflDtaK", false},
		{"$1$saltsalt", false},
		{"$1$sa$t$qjXMvbEw8oaL.CzflDtaK/", false},
	}
	for _, tt := range tests {
		err := h.CheckHash(tt.hash)
		if (err == nil) != tt.ok {
			t.Errorf("CheckHash(%.50q): got %v, want ok %v", tt.hash, err, tt.ok)
		}
	}
}

// FuzzParseLegacy checks that no input makes the parsers panic, and that a
// hash they accept has its work bounded and verifies without error.
func FuzzParseLegacy(f *testing.F) {
	for _, v := range legacyVectors {
		f.Add(v.hash, v.password)
	}
	f.Add("pbkdf2:sha256:1$$", "")
	f.Add("$1$$", "x")
	f.Fuzz(func(t *testing.T, hash, password string) {
		l, err := parseLegacy(hash)
		if err != nil {
			return
		}
		if strings.HasPrefix(hash, "pbkdf2") {
			// Parsing accepted iterations within the bound; run only cheap
			// ones here.
			if n := strings.Count(hash, "$"); n < 2 {
				t.Fatalf("accepted %q with %d '$'", hash, n)
			}
			return
		}
		if strings.HasPrefix(hash, "$P$") || strings.HasPrefix(hash, "$H$") {
			if strings.IndexByte(crypt64, hash[3]) > 12 {
				return
			}
		}
		if _, err := l.verify(password); err != nil {
			t.Fatalf("verify(%q) of accepted %q: %v", password, hash, err)
		}
	})
}

// Package oneaccess speaks the OneAccess sync callback format: the push
// OneAccess itself sends to applications, so an application written for it
// can follow userd unchanged. docs/api/oneaccess.md is its reference.
//
// A callback is a POST with "Authorization: Bearer <security token>" and a
// JSON body {nonce, timestamp, eventType, data, signature}. data is a JSON
// document as a string, optionally AES-GCM encrypted; signature is
// Base64(HMAC-SHA256(signing key, nonce&timestamp&eventType&data)) over the
// data as sent. The application answers {"code":"200","message","data"}.
package oneaccess

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The callback event types.
const (
	CheckURL           = "CHECK_URL"
	CreateUser         = "CREATE_USER"
	UpdateUser         = "UPDATE_USER"
	DeleteUser         = "DELETE_USER"
	CreateOrganization = "CREATE_ORGANIZATION"
	UpdateOrganization = "UPDATE_ORGANIZATION"
	DeleteOrganization = "DELETE_ORGANIZATION"
)

// Callback is the body of one callback.
type Callback struct {
	Nonce string `json:"nonce"`
	// Timestamp is Unix milliseconds, as a string.
	Timestamp string `json:"timestamp"`
	EventType string `json:"eventType"`
	// Data is the JSON document of the event, encrypted (see Encrypt)
	// when the subscription has an encryption key.
	Data      string `json:"data"`
	Signature string `json:"signature"`
}

// Sign returns Base64(HMAC-SHA256(key, nonce&timestamp&eventType&data)).
func Sign(key, nonce, timestamp, eventType, data string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(nonce + "&" + timestamp + "&" + eventType + "&" + data))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// New builds the signed callback of eventType carrying data (a JSON
// document) with nonce, sent at ts, encrypting data when encKey is set.
func New(signKey, encKey, nonce, eventType string, data []byte, ts time.Time) (Callback, error) {
	c := Callback{Nonce: nonce, Timestamp: strconv.FormatInt(ts.UnixMilli(), 10), EventType: eventType, Data: string(data)}
	if encKey != "" {
		var err error
		if c.Data, err = Encrypt(encKey, data); err != nil {
			return Callback{}, err
		}
	}
	c.Signature = Sign(signKey, c.Nonce, c.Timestamp, c.EventType, c.Data)
	return c, nil
}

// Header returns the headers of a callback: the bearer security token.
func Header(token string) http.Header {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	return h
}

// gcmNonceSize is the IV length: 12 bytes, GCM's standard.
const gcmNonceSize = 12

// Encrypt AES-128-GCM-encrypts plaintext with key (16 characters, used as
// its bytes) and returns base64(IV || ciphertext || tag): a random 12-byte
// IV, then the ciphertext, then the 16-byte tag, in standard base64 with
// padding. There is no additional authenticated data.
func Encrypt(key string, plaintext []byte) (string, error) {
	aead, err := newGCM(key)
	if err != nil {
		return "", err
	}
	iv := make([]byte, gcmNonceSize)
	if _, err := rand.Read(iv); err != nil {
		return "", fmt.Errorf("oneaccess: %w", err)
	}
	return base64.StdEncoding.EncodeToString(aead.Seal(iv, iv, plaintext, nil)), nil
}

// Decrypt undoes Encrypt.
func Decrypt(key, data string) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, errors.New("oneaccess: the data is not base64")
	}
	if len(raw) < gcmNonceSize+aead.Overhead() {
		return nil, errors.New("oneaccess: the data is too short to hold an IV and a tag")
	}
	out, err := aead.Open(nil, raw[:gcmNonceSize], raw[gcmNonceSize:], nil)
	if err != nil {
		return nil, errors.New("oneaccess: the data does not decrypt with this key")
	}
	return out, nil
}

func newGCM(key string) (cipher.AEAD, error) {
	if len(key) != 16 {
		return nil, errors.New("oneaccess: the encryption key must be 16 characters")
	}
	block, err := aes.NewCipher([]byte(key))
	if err != nil {
		return nil, fmt.Errorf("oneaccess: %w", err)
	}
	return cipher.NewGCM(block)
}

// NewNonce returns a random nonce: 32 hex digits.
func NewNonce() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("oneaccess: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// Answer is the application's answer to a callback.
type Answer struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// maxRemoteIDLen bounds the id an application may give an object.
const maxRemoteIDLen = 256

// ParseAnswer reads an application's answer. It fails unless code is
// "200". For a create it returns the id the application gave the object
// (data {"id": ...}, a string or a number); for CHECK_URL the echoed
// string (data as a JSON string).
func ParseAnswer(eventType string, body []byte) (string, error) {
	var a Answer
	if err := json.Unmarshal(body, &a); err != nil {
		return "", fmt.Errorf("oneaccess: the answer is not the JSON {\"code\",\"message\",\"data\"}: %v", err)
	}
	if a.Code != "200" {
		return "", fmt.Errorf("oneaccess: the application answered code %q: %.200s", a.Code, a.Message)
	}
	switch eventType {
	case CheckURL:
		var echo string
		if err := json.Unmarshal(a.Data, &echo); err != nil {
			return "", errors.New("oneaccess: the CHECK_URL answer's data is not the string sent")
		}
		return echo, nil
	case CreateUser, CreateOrganization:
		var d struct {
			ID json.RawMessage `json:"id"`
		}
		if err := json.Unmarshal(a.Data, &d); err != nil || len(d.ID) == 0 {
			return "", errors.New("oneaccess: the answer to a create has no data.id")
		}
		id := string(d.ID)
		var s string
		if json.Unmarshal(d.ID, &s) == nil {
			id = s
		} else if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			return "", errors.New("oneaccess: data.id is neither a string nor an integer")
		}
		if id == "" || len(id) > maxRemoteIDLen {
			return "", fmt.Errorf("oneaccess: data.id must be 1 to %d characters", maxRemoteIDLen)
		}
		return id, nil
	}
	return "", nil
}

package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/userd/userd/internal/directory"
)

const (
	// tokenIssuer is both the iss and the aud of every access token: userd
	// issues them for itself.
	tokenIssuer = "userd"
	// accessTokenKeyName names the HMAC key in Store.Secret; every node
	// sharing the database signs and verifies with it.
	accessTokenKeyName = "access-token-key"
	accessTokenKeyLen  = 32
	// tokenLeeway absorbs clock skew between nodes when checking exp and iat.
	tokenLeeway = 10 * time.Second
)

// accessClaims are the claims of an access token. sub is the client_id.
type accessClaims struct {
	jwt.RegisteredClaims
	TenantID int64  `json:"tid"`
	Scope    string `json:"scope"`
}

// accessToken is a signed token with what the token endpoint reports of it.
type accessToken struct {
	value     directory.Secret
	expiresIn time.Duration
	scopes    directory.Scopes
}

// issue signs an access token for client c holding scopes.
func (a *Authenticator) issue(c directory.Client, scopes directory.Scopes) (accessToken, error) {
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return accessToken{}, fmt.Errorf("auth: read random token id: %w", err)
	}
	now := a.now()
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Audience:  jwt.ClaimStrings{tokenIssuer},
			Subject:   c.ClientID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(a.lifetime)),
			ID:        base64.RawURLEncoding.EncodeToString(jti),
		},
		TenantID: c.TenantID,
		Scope:    scopes.String(),
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(a.key)
	if err != nil {
		return accessToken{}, fmt.Errorf("auth: sign access token: %w", err)
	}
	return accessToken{value: directory.Secret(s), expiresIn: a.lifetime, scopes: scopes}, nil
}

// verify checks an access token's signature and claims without touching
// the store: HS256 only, iss and aud "userd", exp required and not passed.
func (a *Authenticator) verify(token string) (accessClaims, error) {
	var claims accessClaims
	_, err := a.parser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return a.key, nil })
	if err != nil {
		return accessClaims{}, err
	}
	if claims.Subject == "" || claims.TenantID <= 0 || claims.ID == "" {
		return accessClaims{}, errors.New("auth: access token lacks sub, tid or jti")
	}
	return claims, nil
}

func newParser(now func() time.Time) *jwt.Parser {
	return jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithAudience(tokenIssuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(tokenLeeway),
		jwt.WithTimeFunc(now),
	)
}

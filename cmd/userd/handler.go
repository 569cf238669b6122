package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/admission"
	"github.com/userd/userd/internal/apidoc"
	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/console"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/metrics"
	"github.com/userd/userd/internal/openapiv1"
	"github.com/userd/userd/internal/scim"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/tenantv2"
	"github.com/userd/userd/internal/tracing"
	"github.com/userd/userd/internal/userinfov1"
)

// newHandler wires every API userd serves over one service and one
// authenticator, measured by m and traced by tr (nil: off). This is the
// only place the dialects meet.
// The caller closes the authenticator once the server has stopped.
func newHandler(ctx context.Context, cfg serveConfig, loc *time.Location, logger *slog.Logger, st directory.Store, svc *directory.Service, m *metrics.Metrics, tr *tracing.Tracing) (*server.Server, *auth.Authenticator, error) {
	authn, err := auth.NewAuthenticator(ctx, st, auth.Options{TokenLifetime: cfg.tokenTTL, Observer: m, Logger: logger,
		MaxClientFailures: cfg.authFailures.perClient, MaxAddressFailures: cfg.authFailures.perAddress,
		FailureWindow: cfg.authFailures.window, AuditFailuresPerMinute: cfg.authFailures.auditPerMinute})
	if err != nil {
		return nil, nil, fmt.Errorf("start the authenticator: %w", err)
	}
	// This node's own revocations take effect at once on this node.
	svc.WatchCredentials(authn)
	ref, err := apidoc.New()
	if err != nil {
		return nil, nil, err
	}
	d := server.Deps{Service: svc, Authn: authn, Logger: logger, MaxBodyBytes: cfg.maxBodyBytes,
		HeavyReads: admission.New(cfg.heavyReads)}
	return server.New(server.Config{MaxBodyBytes: cfg.maxBodyBytes, BodyReadTimeout: cfg.readBodyTimeout,
		RequestTimeout: cfg.requestTimeout, Observe: tr.Observe(m.ObserveRequest)}, logger, st,
		func(mux server.Router) {
			if cfg.metricsAddr == metricsOnAPI {
				mux.Handle("GET /metrics", m.Handler())
			}
		},
		func(mux server.Router) { auth.Routes(mux, authn) },
		func(mux server.Router) { admin.Routes(mux, d) },
		func(mux server.Router) { openapiv1.Routes(mux, d) },
		func(mux server.Router) {
			tenantv2.Routes(mux, d, tenantv2.Config{Location: loc, MobileOptional: cfg.oneAccess.mobileOptional})
		},
		func(mux server.Router) { userinfov1.Routes(mux, d) },
		func(mux server.Router) { scim.Routes(mux, d) },
		func(mux server.Router) { console.Routes(mux, d) },
		ref.Routes,
	), authn, nil
}

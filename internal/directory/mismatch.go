package directory

import "context"

type mismatchHandledKey struct{}

// MismatchHandled reports whether ctx is that of a store update whose
// ErrVersionMismatch the Service handles itself — it reads the object again
// and applies the change again — so no caller is shown it. A watcher of the
// store counts what callers saw, so it does not count such a mismatch as a
// failure.
func MismatchHandled(ctx context.Context) bool {
	handled, _ := ctx.Value(mismatchHandledKey{}).(bool)
	return handled
}

// handlingMismatch returns ctx marked for MismatchHandled when handled.
func handlingMismatch(ctx context.Context, handled bool) context.Context {
	if !handled {
		return ctx
	}
	return context.WithValue(ctx, mismatchHandledKey{}, true)
}

package storewatch

import (
	"context"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/sqlite"
)

type ctxKey struct{}

// recorder remembers the operations it is told of, in order.
type recorder struct {
	mu    sync.Mutex
	began []string
	ended []string
	// sawCtx is false once an operation ran without Begin's context.
	sawCtx bool
}

func (r *recorder) Begin(ctx context.Context, op string) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.began = append(r.began, op)
	return context.WithValue(ctx, ctxKey{}, op)
}

func (r *recorder) End(ctx context.Context, op string, elapsed time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended = append(r.ended, op)
	if ctx.Value(ctxKey{}) != op {
		r.sawCtx = false
	}
}

// TestEveryOperationIsWatchedByName calls every Store method of a wrapped
// real SQLite store (with zero arguments; errors do not matter) and checks
// the observer saw each one begin and end under the method's own name, with
// the context Begin returned, and that Close is not watched.
func TestEveryOperationIsWatchedByName(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "userd.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{sawCtx: true}
	w := reflect.ValueOf(Wrap(st, rec))
	iface := reflect.TypeFor[directory.Store]()
	for i := range iface.NumMethod() {
		name := iface.Method(i).Name
		if name == "Close" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			m := w.MethodByName(name)
			args := []reflect.Value{reflect.ValueOf(ctx)}
			for j := 1; j < m.Type().NumIn(); j++ {
				args = append(args, reflect.Zero(m.Type().In(j)))
			}
			rec.began, rec.ended = nil, nil
			if m.Type().IsVariadic() {
				m.CallSlice(args)
			} else {
				m.Call(args)
			}
			want := []string{name}
			if !reflect.DeepEqual(rec.began, want) || !reflect.DeepEqual(rec.ended, want) {
				t.Errorf("got began %v, ended %v, want %v for both", rec.began, rec.ended, want)
			}
		})
	}
	if !rec.sawCtx {
		t.Errorf("End was not given the context Begin returned")
	}
	rec.began = nil
	if err := w.Interface().(directory.Store).Close(); err != nil {
		t.Fatal(err)
	}
	if len(rec.began) != 0 {
		t.Errorf("Close: got began %v, want it not watched", rec.began)
	}
}

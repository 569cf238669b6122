package main

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/postgres"
	"github.com/userd/userd/internal/sqlite"
)

// seeded is what the load needs to know about the seeded database.
type seeded struct {
	tenantID     int64
	ids          []int64 // the user ids, ids[i] belonging to benchUser(i)
	clientID     string
	clientSecret string
	apiToken     string // scope users:read, for user-info v1
	elapsed      time.Duration
}

// The console administrator seeding makes, whom the console paths sign in as.
const (
	consoleAdmin    = "bench-admin"
	consolePassword = "bench console password"
)

// store is what seeding needs of an engine.
type store interface {
	directory.Store
	Migrate(ctx context.Context) error
}

func openStore(ctx context.Context, dbURL string) (store, error) {
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		return sqlite.Open(ctx, path, sqlite.Options{})
	}
	return postgres.Open(ctx, dbURL)
}

// seed migrates the database, creates tenant "bench" with an API client and
// an API token, and imports n users in transactions of batch users through
// directory.Service.ImportUsers, the path of `userd user import`. Two
// batches are in flight at once, so one is validated and encoded while the
// other commits.
func seed(ctx context.Context, dbURL string, n, batch int) (*seeded, error) {
	st, err := openStore(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	h, err := auth.NewHasher(auth.MinHashParams, 0)
	if err != nil {
		return nil, err
	}
	svc := directory.NewService(st, h)
	t, err := svc.CreateTenant(ctx, "bench")
	if err != nil {
		return nil, fmt.Errorf("create the bench tenant: %w", err)
	}
	p := directory.System(t.ID)
	p.Actor = "bench"
	cl, secret, err := svc.CreateClient(ctx, p, "bench", directory.AllScopes)
	if err != nil {
		return nil, fmt.Errorf("create the bench client: %w", err)
	}
	_, token, err := svc.CreateAPIToken(ctx, p, "bench", directory.Scopes{directory.ScopeUsersRead}, 0)
	if err != nil {
		return nil, fmt.Errorf("create the bench API token: %w", err)
	}
	admin, err := svc.CreateUser(ctx, p, directory.OriginAdmin, directory.UserPatch{Username: ptrTo(consoleAdmin), Password: ptrTo(consolePassword)})
	if err == nil {
		err = svc.SetConsoleRole(ctx, p, admin.ID, directory.RoleAdmin)
	}
	if err != nil {
		return nil, fmt.Errorf("create the console administrator: %w", err)
	}
	sd := &seeded{tenantID: t.ID, ids: make([]int64, n), clientID: cl.ClientID, clientSecret: secret.Reveal(), apiToken: token.Reveal()}

	began := time.Now()
	starts := make(chan int)
	errs := make(chan error, 2)
	var wg sync.WaitGroup
	for range min(2, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range starts {
				hi := min(lo+batch, n)
				patches := make([]directory.UserPatch, 0, hi-lo)
				for i := lo; i < hi; i++ {
					patches = append(patches, benchUser(i))
				}
				users, err := svc.ImportUsers(ctx, p, patches)
				if err != nil {
					errs <- fmt.Errorf("import users %d to %d: %w", lo, hi-1, err)
					return
				}
				for i, u := range users {
					sd.ids[lo+i] = u.ID
				}
			}
		}()
	}
	var firstErr error
feed:
	for lo := 0; lo < n; lo += batch {
		select {
		case starts <- lo:
		case firstErr = <-errs:
			break feed
		case <-ctx.Done():
			firstErr = ctx.Err()
			break feed
		}
	}
	close(starts)
	wg.Wait()
	close(errs)
	if firstErr == nil {
		firstErr = <-errs
	}
	if firstErr != nil {
		return nil, firstErr
	}
	sd.elapsed = time.Since(began)
	return sd, nil
}

// benchUser is the i-th seeded user: every column a typical directory
// fills, an email of the form user00001234@bench.example (the list path
// filters on its prefix), and the extension keys user-info v1 reads.
func benchUser(i int) directory.UserPatch {
	name := emailLocal(i)
	n := strconv.Itoa(i)
	str := func(s string) *string { return &s }
	grade := i % 10
	return directory.UserPatch{
		Username:         str(name),
		Name:             str("User " + n),
		NickName:         str("u" + n),
		Email:            str(name + "@bench.example"),
		Phone:            str(fmt.Sprintf("555%07d", i%10_000_000)),
		PhoneCountryCode: str("+1"),
		EnterpriseID:     str("ent-" + strconv.Itoa(i%100)),
		Grade:            &grade,
		EmployeeNumber:   str("E" + n),
		City:             str("Springfield"),
		Country:          str("US"),
		Extension:        map[string]any{"role_id": 2, "level_id": grade},
	}
}

// emailLocal is the username and email local part of the i-th user.
func emailLocal(i int) string { return fmt.Sprintf("user%08d", i) }

func ptrTo[T any](v T) *T { return &v }

package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/postgres"
	"github.com/userd/userd/internal/sqlite"
)

// seeded is what the load needs to know about the seeded database.
type seeded struct {
	tenantID     int64
	ids          []int64 // the bench users' ids, in id order (not benchUser order: import batches commit concurrently)
	clientID     string
	clientSecret string
	apiToken     string // scope users:read, for user-info v1
	elapsed      time.Duration
	reused       bool // the users were there already (-reuse)
	authUsers    int  // benchUser(0) to benchUser(authUsers-1) have password authPassword
	// externalIDs says the users carry benchUser's externalId; a database
	// seeded before they did has none.
	externalIDs bool
}

// The console administrator seeding makes, whom the console paths sign in as.
const (
	consoleAdmin    = "bench-admin"
	consolePassword = "bench console password"
)

// The password of the first users, for the password-check path: hashing
// one per user would make seeding a million users take hours, and the
// check's cost is the hash's whoever is checked.
const (
	maxAuthUsers = 64
	authPassword = "bench password check"
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
// an API token, and imports n users in transactions of batch users. On
// SQLite they go through directory.Service.ImportUsers, the path of `userd
// user import`; on PostgreSQL the service prepares them
// (directory.Service.PrepareImport) and COPY loads them
// (postgres.Store.CopyUsers), many times faster at millions of users. Two
// batches are in flight at once, so one is validated and encoded while the
// other commits. With reuse and a database whose tenant "bench" already
// holds the users, it seeds nothing and only issues new credentials.
func seed(ctx context.Context, dbURL string, n, batch int, reuse bool) (*seeded, error) {
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
	t, err := st.TenantByName(ctx, "bench")
	existing := err == nil
	switch {
	case existing && !reuse:
		return nil, errors.New(`the database already holds tenant "bench"; pass -reuse to run on its users`)
	case !existing:
		if t, err = svc.CreateTenant(ctx, "bench"); err != nil {
			return nil, fmt.Errorf("create the bench tenant: %w", err)
		}
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
	sd := &seeded{tenantID: t.ID, clientID: cl.ClientID, clientSecret: secret.Reveal(), apiToken: token.Reveal()}
	if existing {
		sd.reused = true
		sd.ids, err = userIDs(ctx, dbURL, t.ID, n)
		if err == nil && len(sd.ids) < n {
			err = fmt.Errorf("-reuse: tenant bench holds %d users, not %d; pass -users %d or seed a new database", len(sd.ids), n, len(sd.ids))
		}
		if err == nil {
			err = setAuthPasswords(ctx, svc, p, sd)
		}
		if err == nil {
			var u directory.User
			u, err = svc.UserByLogin(ctx, p, emailLocal(0))
			sd.externalIDs = u.ExternalID == externalID(0)
		}
		return sd, err
	}

	began := time.Now()
	pg, _ := st.(*postgres.Store)
	if err := importAll(ctx, svc, p, pg, n, batch); err != nil {
		return nil, err
	}
	// The creations' change-log entries get their positions now, as the
	// first read of the log would give them, so the changes path reads
	// full pages from the start.
	if _, err := svc.LastChange(ctx, p); err != nil {
		return nil, fmt.Errorf("number the change log's entries: %w", err)
	}
	sd.elapsed = time.Since(began)
	sd.externalIDs = true
	if sd.ids, err = userIDs(ctx, dbURL, t.ID, n); err != nil {
		return nil, err
	}
	if len(sd.ids) != n {
		return nil, fmt.Errorf("seeded %d users but the database holds %d", n, len(sd.ids))
	}
	if err := setAuthPasswords(ctx, svc, p, sd); err != nil {
		return nil, err
	}
	// After the users, so that sd.ids are theirs; a reused database has its
	// administrator from its first seeding.
	admin, err := svc.CreateUser(ctx, p, directory.OriginAdmin, directory.UserPatch{Username: ptrTo(consoleAdmin), Password: ptrTo(consolePassword)})
	if err == nil {
		err = svc.SetConsoleRole(ctx, p, admin.ID, directory.RoleAdmin)
	}
	if err != nil {
		return nil, fmt.Errorf("create the console administrator: %w", err)
	}
	return sd, nil
}

// setAuthPasswords gives the first users authPassword, hashed with userd's
// default argon2id parameters (the Hasher's), so the server verifies it
// without rehashing; again on a reused database, whose first seeding may
// have given none.
func setAuthPasswords(ctx context.Context, svc *directory.Service, p directory.Principal, sd *seeded) error {
	sd.authUsers = min(maxAuthUsers, len(sd.ids))
	// By username: batches commit in parallel, so ids do not follow the
	// users' numbers.
	for i := range sd.authUsers {
		u, err := svc.UserByLogin(ctx, p, emailLocal(i))
		if err == nil {
			_, err = svc.UpdateUser(ctx, p, u.ID, 0, directory.UserPatch{Password: ptrTo(authPassword)})
		}
		if err != nil {
			return fmt.Errorf("set the password of %s: %w", emailLocal(i), err)
		}
	}
	return nil
}

// importAll imports the n bench users, with COPY when pg is not nil.
func importAll(ctx context.Context, svc *directory.Service, p directory.Principal, pg *postgres.Store, n, batch int) error {
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
				var err error
				if pg == nil {
					_, err = svc.ImportUsers(ctx, p, patches)
				} else {
					var (
						users   []directory.User
						changes []directory.Change
					)
					if users, changes, err = svc.PrepareImport(ctx, p, patches); err == nil {
						err = pg.CopyUsers(ctx, users, changes)
					}
				}
				if err != nil {
					errs <- fmt.Errorf("import users %d to %d: %w", lo, hi-1, err)
					return
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
	return firstErr
}

// userIDs returns the ids of the tenant's first n bench users in id order.
// Import batches commit concurrently, so ids[i] need not belong to
// benchUser(i): paths pick ids and names at random, each on its own.
// The console administrator, made after them, is left out.
// It reads them with one query of the engine's driver; a list through the
// store would read every column of millions of users.
func userIDs(ctx context.Context, dbURL string, tenantID int64, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		db, err := sql.Open("sqlite", path)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		rows, err := db.QueryContext(ctx, `SELECT id FROM users WHERE tenant_id = ? AND username <> ? ORDER BY id LIMIT ?`, tenantID, consoleAdmin, n)
		if err != nil {
			return nil, fmt.Errorf("read the user ids: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	cfg, err := postgres.PoolConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("-db: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return nil, fmt.Errorf("read the user ids: %w", err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT id FROM users WHERE tenant_id = $1 AND username <> $2 ORDER BY id LIMIT $3`, tenantID, consoleAdmin, n)
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&id}, func() error {
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the user ids: %w", err)
	}
	return ids, nil
}

// benchUser is the i-th seeded user: every column a typical directory
// fills, an email of the form user00001234@bench.example (the list path
// filters on its prefix), an externalId as a provisioning client gives
// one, and the extension keys user-info v1 reads.
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
		ProfilePatch:     directory.ProfilePatch{ExternalID: str(externalID(i))},
	}
}

// externalID is the externalId of the i-th user, the id a provisioning
// client's own directory gives it.
func externalID(i int) string { return fmt.Sprintf("ext-%08d", i) }

// emailLocal is the username and email local part of the i-th user.
func emailLocal(i int) string { return fmt.Sprintf("user%08d", i) }

func ptrTo[T any](v T) *T { return &v }

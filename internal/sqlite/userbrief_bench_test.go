package sqlite

import (
	"context"
	"database/sql/driver"
	"math/rand/v2"
	"testing"
)

// BenchmarkUserBrief measures the read of a GET of one user: UserBrief on
// a context that can be canceled, as a request's can, over 10,000 users
// ("store"), and the same statement and conversion on the driver alone,
// a prepared driver statement run on a reader connection held throughout
// ("driver"). The difference is what database/sql, the read gate and the
// statement cache add to a point read.
func BenchmarkUserBrief(b *testing.B) {
	s := openTest(b, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tenant, users := seedUsers(b, s, 10000)
	tenantID, ids := tenant.ID, userIDs(users)
	r := rand.New(rand.NewPCG(1, 2))

	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.UserBrief(ctx, tenantID, ids[r.IntN(len(ids))]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("driver", func(b *testing.B) {
		conn, err := s.r.Conn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		err = conn.Raw(func(dc any) error {
			st, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, userBriefSQL)
			if err != nil {
				return err
			}
			defer st.Close()
			query := st.(driver.StmtQueryContext)
			args := []driver.NamedValue{{Ordinal: 1, Value: tenantID}, {Ordinal: 2}}
			dest := make([]driver.Value, briefColumnCount)
			v := make([]any, briefColumnCount)
			for b.Loop() {
				args[1].Value = ids[r.IntN(len(ids))]
				rows, err := query.QueryContext(context.Background(), args)
				if err != nil {
					return err
				}
				err = rows.Next(dest)
				for i := range dest {
					v[i] = dest[i]
				}
				if err == nil {
					_, err = scanBrief(columns{v: v})
				}
				if cerr := rows.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	})
}

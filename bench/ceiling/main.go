// Command ceiling is the benchmark's yardstick: a bare net/http server that
// answers GET /users/{id} with a fixed JSON body of about 400 bytes, the
// size of one user. Whatever userd does beyond that costs throughput, so the
// benchmark reports every path as a ratio to this server's req/s under the
// same load on the same machine.
//
// POST /argon2id is the password check's yardstick: it verifies one
// password against its argon2id hash at userd's default parameters,
// through the same Hasher and concurrency bound (one hash per CPU) userd
// serve uses, and answers 200.
//
// With -db (the database URL the benchmark gives userd serve) and -tenant
// (the seeded tenant's id), it also serves the database yardsticks
// (db.go) under /db/: the reads and writes of userd's hot paths, each the
// store's own statement run with the driver alone.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/userd/userd/internal/auth"
)

// body is one user as a directory might answer it, 400 bytes long.
var body = []byte(`{"id":123456,"tenant_id":1,"username":"user00123455","name":"User 123455","nick_name":"u123455","email":"user00123455@bench.example","phone":"5550123455","phone_country_code":"+1","active":true,"locked":false,"origin":"import","enterprise_id":"ent-5","grade":5,"employee_number":"E123455","city":"Springfield","country":"US","extension":{"role_id":2,"level_id":5},"orgs":[],"version":1,"x":"padding"}` + "\n")

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "address to listen on")
	db := flag.String("db", "", `the database of the yardsticks under /db/, as userd serve's --db: "sqlite:PATH" or a postgres:// URL ("": none)`)
	tenant := flag.Int64("tenant", 0, "with -db: the id of the tenant whose users the yardsticks read and write")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	if *db != "" {
		if *tenant <= 0 {
			fmt.Fprintln(os.Stderr, "ceiling: -db needs -tenant, the id of the seeded tenant")
			os.Exit(2)
		}
		// The connections live as long as the process.
		y, err := openYard(context.Background(), *db, *tenant)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ceiling: -db:", err)
			os.Exit(1)
		}
		dbRoutes(mux, y)
	}
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	hasher, err := auth.NewHasher(auth.HashParams{}, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
	const password = "bench password check"
	hash, err := hasher.HashPassword(context.Background(), password)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
	mux.HandleFunc("POST /argon2id", func(w http.ResponseWriter, r *http.Request) {
		if ok, err := hasher.VerifyPassword(r.Context(), password, hash); err != nil || !ok {
			http.Error(w, "verification failed", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}` + "\n"))
	})
	if err := http.Serve(ln, mux); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}

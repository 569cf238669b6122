package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/directory"
)

// userSignIn runs user role USER ROLE and user unlock USER.
func userSignIn(ctx context.Context, c *commonFlags, std streams, svc *directory.Service, p directory.Principal, sub string) error {
	u, err := findUser(ctx, svc, p, c.positional[0])
	if err != nil {
		return err
	}
	switch sub {
	case "role":
		role, err := directory.ParseRole(c.positional[1])
		if err != nil {
			return usageError(err.Error())
		}
		if err := svc.SetConsoleRole(ctx, p, u.ID, role); err != nil {
			return fmt.Errorf("set the console role: %w", err)
		}
		shown := string(role)
		if role == directory.RoleNone {
			shown = "none"
		}
		return c.print(std, map[string]any{"user_id": u.ID, "console_role": shown}, func(w io.Writer) {
			fmt.Fprintf(w, "user %q (id %d) now has console role %s\n", u.Username, u.ID, shown)
		})
	default: // unlock
		no := false
		u, err = svc.UpdateUser(ctx, p, u.ID, 0, directory.UserPatch{Locked: &no})
		if err != nil {
			return fmt.Errorf("unlock: %w", err)
		}
		return c.print(std, admin.UserJSON(u), func(w io.Writer) {
			fmt.Fprintf(w, "user %q (id %d) is unlocked\n", u.Username, u.ID)
		})
	}
}

// findUser returns the user that arg names: its id when all digits, else
// its username or email.
func findUser(ctx context.Context, svc *directory.Service, p directory.Principal, arg string) (directory.User, error) {
	if id, err := strconv.ParseInt(arg, 10, 64); err == nil {
		return svc.User(ctx, p, id)
	}
	return svc.UserByLogin(ctx, p, arg)
}

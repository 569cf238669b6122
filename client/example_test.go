package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/userd/userd/client"
)

// A Client with client credentials gets and renews its access token by
// itself; every call takes a context.
func Example() {
	srv := startServer(0) // in real code: your userd's URL and an API client's credentials
	defer srv.Close()
	ctx := context.Background()

	c, err := client.New(srv.URL, client.WithClientCredentials(srv.ClientID, srv.ClientSecret))
	if err != nil {
		log.Fatal(err)
	}
	u, err := c.CreateUser(ctx, client.UserInput{Username: new("ada"), Email: new("ada@example.com"), Name: new("Ada Lovelace")})
	if err != nil {
		log.Fatal(err)
	}
	u, err = c.UpdateUser(ctx, u.ID, client.UserInput{City: new("London")}, u.Version)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.Username, u.Email, u.City, "version", u.Version)
	// Output: ada ada@example.com London version 2
}

// Users pages through the list with the server's cursors as the loop goes.
func ExampleClient_Users() {
	srv := startServer(0)
	defer srv.Close()
	ctx := context.Background()
	c, err := client.New(srv.URL, client.WithClientCredentials(srv.ClientID, srv.ClientSecret))
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"ada", "alan", "grace"} {
		if _, err := c.CreateUser(ctx, client.UserInput{Username: new(name)}); err != nil {
			log.Fatal(err)
		}
	}

	for u, err := range c.Users(ctx, client.UserQuery{Q: "a", PageSize: 1}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.ID, u.Username)
	}
	// Output:
	// 1 ada
	// 2 alan
}

// A refusal is an *Error carrying the server's problem details.
func ExampleError() {
	srv := startServer(0)
	defer srv.Close()
	ctx := context.Background()
	c, err := client.New(srv.URL, client.WithClientCredentials(srv.ClientID, srv.ClientSecret))
	if err != nil {
		log.Fatal(err)
	}

	_, err = c.CreateUser(ctx, client.UserInput{Username: new("ada"), Email: new("not an address")})
	if e, ok := errors.AsType[*client.Error](err); ok {
		fmt.Println(e.Status, e.Field)
	}
	_, err = c.User(ctx, 42)
	fmt.Println(client.IsNotFound(err))
	// Output:
	// 400 email
	// true
}

// An API token made by an admin authenticates a Client on its own.
func ExampleWithBearer() {
	srv := startServer(0)
	defer srv.Close()
	ctx := context.Background()
	admin, err := client.New(srv.URL, client.WithClientCredentials(srv.ClientID, srv.ClientSecret))
	if err != nil {
		log.Fatal(err)
	}
	_, token, err := admin.CreateToken(ctx, "reporting", "users:read", 0)
	if err != nil {
		log.Fatal(err)
	}

	reader, err := client.New(srv.URL, client.WithBearer(token))
	if err != nil {
		log.Fatal(err)
	}
	_, err = reader.CreateUser(ctx, client.UserInput{Username: new("ada")})
	e, _ := errors.AsType[*client.Error](err)
	fmt.Println(e.Status, e.Title)
	// Output: 403 Forbidden
}

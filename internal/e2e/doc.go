// Package e2e holds userd's durability and fault tests. They build the real
// userd binary once and run it as a process on loopback ports, so they can
// kill it mid-write, take its database away and hammer it from many clients,
// and then check what a client was promised against what the database holds.
// The package has no code of its own; see the _test.go files.
package e2e

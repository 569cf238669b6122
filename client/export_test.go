package client

// SetCredentialPageSize makes Clients and Tokens read n items per request
// and returns the function that restores the size.
func SetCredentialPageSize(n int) func() {
	old := credentialPageSize
	credentialPageSize = n
	return func() { credentialPageSize = old }
}

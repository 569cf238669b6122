package server

import "time"

// DefaultRequestTimeout is how long a request may take by default
// (Config.RequestTimeout).
const DefaultRequestTimeout = 10 * time.Second

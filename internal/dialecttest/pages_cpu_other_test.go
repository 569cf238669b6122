//go:build !unix

package dialecttest_test

import "time"

// processCPU is not measured here: BenchmarkPages reports 0 CPU.
func processCPU() time.Duration { return 0 }

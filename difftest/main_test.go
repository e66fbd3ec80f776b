package difftest

import (
	"fmt"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv(WorkerEnv) != "" {
		if err := ServeWorker(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "libseccomp worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if spec := os.Getenv(liveEnv); spec != "" {
		if err := liveChild(spec); err != nil {
			fmt.Fprintln(os.Stderr, "live benchmark child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if spec := os.Getenv(notifyEnv); spec != "" {
		if err := notifyChild(spec); err != nil {
			fmt.Fprintln(os.Stderr, "notification target:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

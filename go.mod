module github.com/seccomp-go/seccomp

go 1.23

require (
	github.com/opencontainers/runtime-spec v1.2.1
	golang.org/x/net v0.1.0
	golang.org/x/sys v0.17.0
)

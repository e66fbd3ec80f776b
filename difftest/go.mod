module github.com/seccomp-go/seccomp/difftest

go 1.26.0

replace github.com/seccomp-go/seccomp => ../

require (
	github.com/opencontainers/runtime-spec v1.3.0
	github.com/seccomp-go/seccomp v0.0.0
	github.com/seccomp/libseccomp-golang v0.11.1
	golang.org/x/sys v0.49.0
)

require golang.org/x/net v0.62.0 // indirect

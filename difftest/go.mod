module github.com/seccomp-go/seccomp/difftest

go 1.23

replace github.com/seccomp-go/seccomp => ../

require (
	github.com/opencontainers/runtime-spec v1.2.1
	github.com/seccomp-go/seccomp v0.0.0
	github.com/seccomp/libseccomp-golang v0.11.1
	golang.org/x/sys v0.17.0
)

require golang.org/x/net v0.1.0 // indirect

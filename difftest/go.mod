module github.com/seccomp-go/seccomp/difftest

go 1.23.0

replace github.com/seccomp-go/seccomp => ../

require (
	github.com/opencontainers/runc v1.3.7
	github.com/opencontainers/runtime-spec v1.2.1
	github.com/seccomp-go/seccomp v0.0.0
	github.com/seccomp/libseccomp-golang v0.11.1
	golang.org/x/sys v0.30.0
)

require (
	github.com/coreos/go-systemd/v22 v22.5.0 // indirect
	github.com/cyphar/filepath-securejoin v0.5.2 // indirect
	github.com/godbus/dbus/v5 v5.1.0 // indirect
	github.com/moby/sys/mountinfo v0.7.2 // indirect
	github.com/moby/sys/userns v0.1.0 // indirect
	github.com/opencontainers/cgroups v0.0.4 // indirect
	github.com/sirupsen/logrus v1.9.3 // indirect
	github.com/stretchr/testify v1.9.0 // indirect
	golang.org/x/net v0.35.0 // indirect
)

package oci

import (
	"encoding/json"
	"fmt"
	"net"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ProcessState returns the message runc sends to a seccomp agent with the
// notification descriptor: runtime-spec's ContainerProcessState naming
// one descriptor, "seccompFd", with the profile's listenerMetadata, the
// process id and the container state.
func ProcessState(spec *specs.LinuxSeccomp, pid int, state specs.State) *specs.ContainerProcessState {
	st := &specs.ContainerProcessState{
		Version: specs.Version,
		Fds:     []string{specs.SeccompFdName},
		Pid:     pid,
		State:   state,
	}
	if spec != nil {
		st.Metadata = spec.ListenerMetadata
	}
	if st.State.Version == "" {
		st.State.Version = specs.Version
	}
	return st
}

// SendListener hands a user-notification descriptor to the seccomp agent
// listening on the unix socket at path, as runc does with listenerPath:
// it connects, then sends state as JSON in a single message that carries
// fd as SCM_RIGHTS. fd stays open; the caller closes it when it no longer
// needs it.
func SendListener(path string, fd int, state *specs.ContainerProcessState) error {
	if path == "" {
		return &FieldError{Field: "listenerPath", Reason: "empty: there is no seccomp agent to send the notification descriptor to"}
	}
	if fd < 0 {
		return fmt.Errorf("seccomp listener %s: invalid descriptor %d", path, fd)
	}
	if state == nil {
		return fmt.Errorf("seccomp listener %s: no container process state to send", path)
	}
	conn, err := dialAgent(path)
	if err != nil {
		return err
	}
	defer conn.Close()
	return sendState(conn, path, fd, state)
}

// dialAgent connects to the seccomp agent listening at path.
func dialAgent(path string) (*net.UnixConn, error) {
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("seccomp listener: connecting to the agent at listenerPath: %w", err)
	}
	return conn, nil
}

// sendState sends state as JSON in a single message carrying fd as
// SCM_RIGHTS on conn, connected to the agent at path.
func sendState(conn *net.UnixConn, path string, fd int, state *specs.ContainerProcessState) error {
	msg, err := json.Marshal(state)
	if err != nil {
		return fmt.Errorf("seccomp listener %s: encoding the process state: %w", path, err)
	}
	n, oobn, err := conn.WriteMsgUnix(msg, syscall.UnixRights(fd), nil)
	if err != nil {
		return fmt.Errorf("seccomp listener %s: sending the notification descriptor: %w", path, err)
	}
	if n != len(msg) || oobn == 0 {
		return fmt.Errorf("seccomp listener %s: short write (%d of %d bytes)", path, n, len(msg))
	}
	return nil
}

// Handoff sends fd, the notification descriptor of a filter loaded from
// spec, to spec.ListenerPath with the state of process pid, as runc does
// after loading a filter with SCMP_ACT_NOTIFY rules.
func Handoff(spec *specs.LinuxSeccomp, fd int, pid int, state specs.State) error {
	if spec == nil {
		return &FieldError{Reason: "no profile"}
	}
	if spec.ListenerPath == "" {
		return &FieldError{Field: "listenerPath", Reason: "not set, but the filter has SCMP_ACT_NOTIFY rules: their descriptor needs an agent"}
	}
	return SendListener(spec.ListenerPath, fd, ProcessState(spec, pid, state))
}

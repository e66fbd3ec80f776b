package oci

import (
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// agent is a seccomp agent for tests: it accepts one connection on a unix
// socket and reads one message with its descriptors, as runc's agents do.
type agent struct {
	path string
	got  chan agentMsg
}

type agentMsg struct {
	raw []byte
	fds []int
	err error
}

func newAgent(t *testing.T) *agent {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	a := &agent{path: path, got: make(chan agentMsg, 1)}
	go func() {
		c, err := l.AcceptUnix()
		if err != nil {
			a.got <- agentMsg{err: err}
			return
		}
		defer c.Close()
		buf := make([]byte, 1<<16)
		oob := make([]byte, syscall.CmsgSpace(4*4))
		n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
		if err != nil {
			a.got <- agentMsg{err: err}
			return
		}
		msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
		var fds []int
		for _, m := range msgs {
			f, err := syscall.ParseUnixRights(&m)
			if err == nil {
				fds = append(fds, f...)
			}
		}
		a.got <- agentMsg{raw: buf[:n], fds: fds, err: err}
	}()
	return a
}

func TestHandoff(t *testing.T) {
	a := newAgent(t)
	// Any descriptor will do to check the passing: a pipe shows that the
	// agent's copy refers to the same file.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()

	spec := &specs.LinuxSeccomp{
		DefaultAction:    specs.ActAllow,
		ListenerPath:     a.path,
		ListenerMetadata: "agent-config=strict",
		Syscalls:         []specs.LinuxSyscall{{Names: []string{"mount"}, Action: specs.ActNotify}},
	}
	state := specs.State{ID: "c1", Status: specs.StateCreating, Pid: 4242, Bundle: "/bundles/c1"}
	if err := Handoff(spec, int(w.Fd()), 4242, state); err != nil {
		t.Fatal(err)
	}
	msg := <-a.got
	if msg.err != nil {
		t.Fatal(msg.err)
	}
	if len(msg.fds) != 1 {
		t.Fatalf("agent got %d descriptors, want 1", len(msg.fds))
	}
	// The fields runc sends, by their JSON names; the version is that of
	// the runtime-spec module the build selected, as in runc.
	var got map[string]any
	if err := json.Unmarshal(msg.raw, &got); err != nil {
		t.Fatalf("message %q: %v", msg.raw, err)
	}
	want := map[string]any{
		"ociVersion": specs.Version,
		"fds":        []any{"seccompFd"},
		"pid":        float64(4242),
		"metadata":   "agent-config=strict",
		"state": map[string]any{
			"ociVersion": specs.Version,
			"id":         "c1",
			"status":     "creating",
			"pid":        float64(4242),
			"bundle":     "/bundles/c1",
		},
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("message:\n got %s\nwant %s", gotJSON, wantJSON)
	}

	sent := os.NewFile(uintptr(msg.fds[0]), "received")
	defer sent.Close()
	if _, err := sent.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := r.Read(buf); err != nil || string(buf) != "ping" {
		t.Errorf("read %q, %v through the passed descriptor; want ping", buf, err)
	}
}

func TestHandoffErrors(t *testing.T) {
	noPath := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow}
	err := Handoff(noPath, 1, 1, specs.State{})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "listenerPath" {
		t.Errorf("no listenerPath: error %v, want a FieldError on listenerPath", err)
	}
	missing := &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: filepath.Join(t.TempDir(), "none.sock")}
	if err := Handoff(missing, 1, 1, specs.State{}); err == nil {
		t.Error("no agent listening: no error")
	}
	if err := SendListener("/x.sock", -1, &specs.ContainerProcessState{}); err == nil {
		t.Error("negative descriptor: no error")
	}
}

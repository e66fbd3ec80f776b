package oci_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/oci"
)

// Docker's default profile, compiled for x86_64 as Docker would apply it
// to a container without extra capabilities, then asked about a few
// syscalls by running the exported program.
func ExampleNewFilter() {
	opts := oci.Options{
		Arches:        []seccomp.ScmpArch{seccomp.ArchAMD64},
		Caps:          []string{},
		KernelVersion: "6.1",
		Warn:          func(msg string) { fmt.Println("warning:", msg) },
	}
	spec, _, err := oci.Parse(oci.DefaultProfile, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	filter, err := oci.NewFilter(spec, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer filter.Release()

	raw, err := filter.ExportBPFMem()
	if err != nil {
		fmt.Println(err)
		return
	}
	prog, err := bpf.Unmarshal(raw, binary.LittleEndian)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{"read", "mount", "clone3"} {
		nr, err := seccomp.GetSyscallFromNameByArch(name, seccomp.ArchAMD64)
		if err != nil {
			fmt.Println(err)
			return
		}
		const auditArchX86_64 = 0xc000003e
		ret, _, err := prog.Run(bpf.Data{Nr: int32(nr), Arch: auditArchX86_64}, binary.LittleEndian)
		if err != nil {
			fmt.Println(err)
			return
		}
		switch ret & 0xffff0000 {
		case 0x7fff0000:
			fmt.Println(name, "allowed")
		case 0x00050000:
			fmt.Println(name, "fails with errno", ret&0xffff)
		default:
			fmt.Printf("%s: %#x\n", name, ret)
		}
	}
	// Output:
	// read allowed
	// mount fails with errno 1
	// clone3 fails with errno 38
}

// A Docker profile is resolved for a target architecture, a capability
// set and a kernel version before it is compiled.
func ExampleParse() {
	profile := []byte(`{
		"defaultAction": "SCMP_ACT_ERRNO",
		"archMap": [{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
		"syscalls": [
			{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
			{"names": ["cacheflush"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm", "arm64"]}},
			{"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}}
		]
	}`)
	spec, format, err := oci.Parse(profile, oci.Options{
		Arches:        []seccomp.ScmpArch{seccomp.ArchARM64},
		Caps:          []string{"CAP_CHOWN"},
		KernelVersion: "6.1",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(format, spec.Architectures)
	for _, s := range spec.Syscalls {
		fmt.Println(s.Names, s.Action)
	}
	// Output:
	// docker [SCMP_ARCH_AARCH64 SCMP_ARCH_ARM]
	// [read write] SCMP_ACT_ALLOW
	// [cacheflush] SCMP_ACT_ALLOW
	// [ptrace] SCMP_ACT_ALLOW
}

// Mistakes in a profile are reported with the field at fault.
func ExampleFieldError() {
	_, _, err := oci.Parse([]byte(`{
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 7, "value": 9, "op": "SCMP_CMP_EQ"}]}]
	}`), oci.Options{})
	var fe *oci.FieldError
	if errors.As(err, &fe) {
		fmt.Println(fe.Field)
	}
	fmt.Println(err)
	// Output:
	// syscalls[0].args[0].index
	// seccomp profile: syscalls[0].args[0].index: 7 is above 5
}

// A seccomp agent receives the notification descriptor of a filter with
// SCMP_ACT_NOTIFY rules, with runc's description of the process. Here
// the agent is a listener in the same program, and a pipe stands in for
// the descriptor that seccomp.ScmpFilter.GetNotifFd returns after Load.
func ExampleHandoff() {
	dir, err := os.MkdirTemp("", "agent")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	socket := filepath.Join(dir, "agent.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: socket, Net: "unix"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.AcceptUnix()
		if err != nil {
			fmt.Println(err)
			return
		}
		defer c.Close()
		buf, oob := make([]byte, 4096), make([]byte, 64)
		n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
		if err != nil {
			fmt.Println(err)
			return
		}
		var st specs.ContainerProcessState
		if err := json.Unmarshal(buf[:n], &st); err != nil {
			fmt.Println(err)
			return
		}
		msgs, _ := syscall.ParseSocketControlMessage(oob[:oobn])
		fds, _ := syscall.ParseUnixRights(&msgs[0])
		for _, fd := range fds {
			syscall.Close(fd)
		}
		fmt.Println(st.Fds, len(fds), st.Pid, st.Metadata, st.State.ID)
	}()

	spec, _, err := oci.Parse([]byte(`{
		"defaultAction": "SCMP_ACT_ALLOW",
		"listenerPath": "`+socket+`",
		"listenerMetadata": "policy=audit",
		"syscalls": [{"names": ["mount"], "action": "SCMP_ACT_NOTIFY"}]
	}`), oci.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	defer w.Close()
	state := specs.State{ID: "web", Status: specs.StateCreating, Pid: 1234, Bundle: "/run/bundles/web"}
	if err := oci.Handoff(spec, int(r.Fd()), 1234, state); err != nil {
		fmt.Println(err)
	}
	<-done
	// Output:
	// [seccompFd] 1 1234 policy=audit web
}

// Lint finds the keys runc reads other than they are written: here a
// second defaultAction in another letter case, which wins, and a
// misspelt key, which is ignored.
func ExampleLint() {
	profile := []byte(`{
	"defaultAction": "SCMP_ACT_ERRNO",
	"DefaultAction": "SCMP_ACT_ALLOW",
	"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRte": 1}]
}`)
	warnings, err := oci.Lint(profile)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range warnings {
		fmt.Printf("%s, line %d: %s\n", w.Field, w.Line, w.Kind)
	}
	// Output:
	// DefaultAction, line 3: key in another letter case
	// DefaultAction, line 3: duplicate key
	// syscalls[0]."errnoRte", line 4: unknown key
}

package oci

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	seccomp "github.com/seccomp-go/seccomp"
)

// TestOrigins checks that Origins agrees with Resolve on Docker's
// profile: the kept entries are Resolve's, in order, and each entry left
// out has a reason.
func TestOrigins(t *testing.T) {
	p, _, err := ParseProfile(DefaultProfile)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []Options{
		{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, Caps: DockerDefaultCapabilities(), KernelVersion: "6.1"},
		{Arches: []seccomp.ScmpArch{seccomp.ArchARM64}, Caps: []string{}, KernelVersion: "4.4"},
		{Arches: []seccomp.ScmpArch{seccomp.ArchS390X}, Caps: AllCapabilities(), KernelVersion: "5.10"},
	} {
		spec, err := p.Resolve(opts)
		if err != nil {
			t.Fatal(err)
		}
		origins, err := p.Origins(opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(origins) != len(p.Syscalls) {
			t.Fatalf("%d origins for %d entries", len(origins), len(p.Syscalls))
		}
		next := 0
		for i, o := range origins {
			if o.Index != i {
				t.Errorf("origins[%d].Index = %d", i, o.Index)
			}
			if o.Resolved < 0 {
				if len(o.LeftOut) == 0 {
					t.Errorf("%v: syscalls[%d] is left out without a reason", opts.Arches, i)
				}
				continue
			}
			if o.Resolved != next || len(o.LeftOut) > 0 {
				t.Errorf("%v: syscalls[%d]: resolved at %d (want %d), left out for %q", opts.Arches, i, o.Resolved, next, o.LeftOut)
			}
			if next < len(spec.Syscalls) && !slices.Equal(spec.Syscalls[next].Names, p.Syscalls[i].Names) {
				t.Errorf("%v: syscalls[%d] is not resolved entry %d", opts.Arches, i, next)
			}
			next++
		}
		if next != len(spec.Syscalls) {
			t.Errorf("%v: %d entries kept, Resolve keeps %d", opts.Arches, next, len(spec.Syscalls))
		}
	}
}

// TestOriginsReasons checks the reasons given for each kind of
// criterion.
func TestOriginsReasons(t *testing.T) {
	data := `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
	 {"names":["read"],"action":"SCMP_ACT_ALLOW"},
	 {"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN","CAP_CHOWN"]}},
	 {"names":["ptrace"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4.8"}},
	 {"names":["ptrace"],"action":"SCMP_ACT_ALLOW","excludes":{"minKernel":"4.8"}},
	 {"names":["arch_prctl"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64","x32"]}},
	 {"names":["reboot"],"action":"SCMP_ACT_ALLOW","excludes":{"caps":["CAP_SYS_BOOT","CAP_CHOWN"],"arches":["arm64"]}}]}`
	p, _, err := ParseProfile([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchARM64}, Caps: []string{"CAP_CHOWN"}, KernelVersion: "4.4"}
	origins, err := p.Origins(opts)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		nil,
		{"includes.caps: CAP_SYS_ADMIN is not in the capability set"},
		{"includes.minKernel: the kernel is older than 4.8"},
		nil,
		{"includes.arches: arm64 is not one of amd64, x32"},
		{"excludes.arches: arm64 is one of arm64", "excludes.caps: CAP_CHOWN is in the capability set"},
	}
	resolved := []int{0, -1, -1, 1, -1, -1}
	for i, o := range origins {
		if !reflect.DeepEqual(o.LeftOut, want[i]) || o.Resolved != resolved[i] {
			t.Errorf("syscalls[%d]: resolved at %d, left out for %q; want %d, %q", i, o.Resolved, o.LeftOut, resolved[i], want[i])
		}
	}
}

// TestRules checks the rules listed against what runc makes: none for
// an entry with the default action, one per comparison for an entry
// that compares one argument twice.
func TestRules(t *testing.T) {
	data := `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
	 {"names":["read","write"],"action":"SCMP_ACT_ALLOW"},
	 {"names":["mount"],"action":"SCMP_ACT_ERRNO"},
	 {"names":["clone"],"action":"SCMP_ACT_ERRNO","errnoRet":38,"args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]},
	 {"names":["kill"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":255,"valueTwo":9,"op":"SCMP_CMP_MASKED_EQ"}]}]}`
	spec, _, err := Parse([]byte(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	def, rules, err := Rules(spec)
	if err != nil {
		t.Fatal(err)
	}
	if def != seccomp.ActErrno.SetReturnCode(1) {
		t.Errorf("default %v, want ERRNO(1)", def)
	}
	var got []string
	for _, r := range rules {
		s := []string{r.Name, r.Action.String()}
		for _, c := range r.Conditions {
			s = append(s, c.Op.String())
		}
		got = append(got, strings.Join(s, " "))
		if spec.Syscalls[r.Entry].Names[r.NameIndex] != r.Name {
			t.Errorf("rule %s: syscalls[%d].names[%d] is %s", r.Name, r.Entry, r.NameIndex, spec.Syscalls[r.Entry].Names[r.NameIndex])
		}
	}
	want := []string{
		"read Action: Allow system call",
		"write Action: Allow system call",
		"clone Action: Return error code 38 Equal",
		"clone Action: Return error code 38 Equal",
		"kill Action: Log system call Equal Masked equality",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Origins tells which entries of Docker's profile a container without
// CAP_SYS_ADMIN goes without, and why.
func ExampleProfile_Origins() {
	p, _, err := ParseProfile(DefaultProfile)
	if err != nil {
		fmt.Println(err)
		return
	}
	origins, err := p.Origins(Options{
		Arches:        []seccomp.ScmpArch{seccomp.ArchAMD64},
		Caps:          DockerDefaultCapabilities(),
		KernelVersion: "6.1",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range origins {
		if slices.Contains(p.Syscalls[o.Index].Names, "mount") {
			fmt.Println(o.Index, o.Resolved, o.LeftOut)
		}
	}
	// Output:
	// 17 -1 [includes.caps: CAP_SYS_ADMIN is not in the capability set]
}

// TestOriginsHost checks Origins with the capability set and kernel of
// this machine against Resolve.
func TestOriginsHost(t *testing.T) {
	p, _, err := ParseProfile(DefaultProfile)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}}
	spec, err := p.Resolve(opts)
	if err != nil {
		t.Skip(err)
	}
	origins, err := p.Origins(opts)
	if err != nil {
		t.Fatal(err)
	}
	var kept []int
	for _, o := range origins {
		if o.Resolved >= 0 {
			kept = append(kept, o.Index)
		}
	}
	if len(kept) != len(spec.Syscalls) {
		t.Fatalf("%d entries kept, Resolve keeps %d", len(kept), len(spec.Syscalls))
	}
	for k, i := range kept {
		if !slices.Equal(spec.Syscalls[k].Names, p.Syscalls[i].Names) {
			t.Errorf("resolved entry %d is not syscalls[%d]", k, i)
		}
	}
}

func BenchmarkOriginsDocker(b *testing.B) {
	p, _, err := ParseProfile(DefaultProfile)
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchAMD64}, Caps: DockerDefaultCapabilities(), KernelVersion: "6.1"}
	for i := 0; i < b.N; i++ {
		if _, err := p.Origins(opts); err != nil {
			b.Fatal(err)
		}
	}
}

package seccomp

import (
	"testing"

	"github.com/seccomp-go/seccomp/bpf"
)

// TestFilterValue checks each kind of action against the kernel's
// SECCOMP_RET_* values, return codes included, and the refusal of values
// that are not actions.
func TestFilterValue(t *testing.T) {
	for _, c := range []struct {
		a    ScmpAction
		want uint32
	}{
		{ActKillThread, bpf.RetKillThread},
		{ActKillProcess, bpf.RetKillProcess},
		{ActTrap, bpf.RetTrap},
		{ActNotify, bpf.RetUserNotif},
		{ActErrno.SetReturnCode(1), bpf.RetErrno | 1},
		{ActErrno.SetReturnCode(-1), bpf.RetErrno | 0xffff},
		{ActTrace.SetReturnCode(7), bpf.RetTrace | 7},
		{ActAllow, bpf.RetAllow},
		{ActLog, bpf.RetLog},
	} {
		got, err := c.a.FilterValue()
		if err != nil || got != c.want {
			t.Errorf("%v.FilterValue() = %#x, %v; want %#x", c.a, got, err, c.want)
		}
	}
	for _, a := range []ScmpAction{ActInvalid, ActKillProcess + 1, ActAllow | 1<<16, 0xffff} {
		if got, err := a.FilterValue(); err == nil {
			t.Errorf("%#x.FilterValue() = %#x, want an error", uint32(a), got)
		}
	}
}

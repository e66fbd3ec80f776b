package seccomp_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"syscall"

	seccomp "github.com/seccomp-go/seccomp"
)

// A supervisor answers the notifications of a filter loaded by another
// process, which passed it the descriptor from GetNotifFd (inherited, or
// sent over a unix socket). Here it fails mkdir with EPERM unless the mode
// is 0700, which it lets through.
func ExampleNotifReceive() {
	fd := seccomp.ScmpFd(3) // the listener, received from the target
	for {
		req, err := seccomp.NotifReceive(fd)
		if err == seccomp.ErrNotifNoTarget {
			return // every target has exited
		}
		if err != nil {
			continue // that target died; wait for the next one
		}
		resp := &seccomp.ScmpNotifResp{ID: req.ID, Error: int32(syscall.EPERM)}
		if req.Data.Args[1] == 0o700 {
			resp.Error, resp.Flags = 0, seccomp.NotifRespFlagContinue
		}
		// Check the request is still pending before trusting what was
		// read about it (here only its registers).
		if seccomp.NotifIDValid(fd, req.ID) != nil {
			continue
		}
		if err := seccomp.NotifRespond(fd, resp); err != nil && !errors.Is(err, syscall.ENOENT) {
			log.Print(err)
		}
	}
}

// A supervisor opens a file on behalf of the target and hands it over: the
// descriptor is copied into the target and its number becomes the return
// value of the notified syscall, in one step.
func ExampleNotifAddFd() {
	fd := seccomp.ScmpFd(3) // the listener, received from the target
	req, err := seccomp.NotifReceive(fd)
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Open("/etc/hostname")
	if err != nil {
		seccomp.NotifRespond(fd, &seccomp.ScmpNotifResp{ID: req.ID, Error: int32(syscall.ENOENT)})
		return
	}
	defer f.Close()
	n, err := seccomp.NotifAddFd(fd, &seccomp.ScmpNotifAddFd{
		ID:         req.ID,
		SrcFd:      int(f.Fd()),
		Flags:      seccomp.NotifAddFdFlagSend,
		NewFdFlags: syscall.O_CLOEXEC,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("the target got descriptor", n)
}

// The API level tells which kernel features a filter can use.
func ExampleGetAPI() {
	level, _ := seccomp.GetAPI()
	if level >= 5 {
		fmt.Println("ActNotify is available")
	}
	if level >= 7 {
		fmt.Println("SetWaitKill is available")
	}
}

// A Go program is always multi-threaded, and a filter is loaded per
// thread. The simple safe way to confine a command is to start a copy of
// the program, load the filter there with TSYNC (set by NewFilter when
// the kernel has it, so every thread gets it), and exec the command: the
// filter survives exec. Here the child half: it refuses ptrace to the
// command it runs.
func ExampleScmpFilter_Load_beforeExec() {
	if os.Getenv("CONFINE_CHILD") != "1" {
		return // the parent starts os.Args[0] with CONFINE_CHILD=1
	}
	f, err := seccomp.NewFilter(seccomp.ActAllow)
	if err != nil {
		log.Fatal(err)
	}
	ptrace, err := seccomp.GetSyscallFromName("ptrace")
	if err != nil {
		log.Fatal(err)
	}
	if err := f.AddRule(ptrace, seccomp.ActErrno.SetReturnCode(int16(syscall.EPERM))); err != nil {
		log.Fatal(err)
	}
	if err := f.Load(); err != nil {
		log.Fatal(err)
	}
	log.Fatal(syscall.Exec("/bin/sh", []string{"sh", "-c", "echo confined"}, os.Environ()))
}

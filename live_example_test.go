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

# thread_start.s - the wasi_thread_start export of the freestanding thread
# test guests (guest.h). A new thread's instance starts with __stack_pointer
# at the main thread's stack, so before any C code runs it loads its own
# stack top from the first word of the start argument (struct GuestThread),
# then calls guest_thread_main(tid, arg). Returning ends the thread.
	.text
	.export_name	wasi_thread_start, wasi_thread_start
	.globaltype	__stack_pointer, i32
	.functype	guest_thread_main (i32, i32) -> ()
	.globl	wasi_thread_start
	.type	wasi_thread_start,@function
wasi_thread_start:
	.functype	wasi_thread_start (i32, i32) -> ()
	local.get	1
	i32.load	0
	global.set	__stack_pointer
	local.get	0
	local.get	1
	call	guest_thread_main
	end_function

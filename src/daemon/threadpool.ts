/**
 * libuv's thread pool runs every asynchronous file system call. Its default of 4 threads keeps
 * a build step that copies or seals thousands of small files waiting on the disk four calls at a
 * time; more threads overlap that waiting. Imported first by the entry point: the pool is sized
 * when it is first used, and an operator's own UV_THREADPOOL_SIZE wins.
 */
process.env.UV_THREADPOOL_SIZE ??= "16";

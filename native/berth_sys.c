/*
 * The few Linux syscalls Node lacks and the layer store needs: mknod (device
 * nodes and overlay whiteouts), the l*xattr family (owners of symlinks keep
 * their xattrs; overlay's trusted.overlay.opaque), and mount/umount2 (an
 * overlay mount by syscall costs microseconds, a spawn of mount(8) costs ms),
 * and flock for the data-root lock.
 * Each function throws an Error with .code = errno name, like node:fs does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

static const char *errno_name(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case ENOTSUP: return "ENOTSUP";
    case ENODATA: return "ENODATA";
    case ERANGE: return "ERANGE";
    case EBUSY: return "EBUSY";
    case ENOTDIR: return "ENOTDIR";
    case ENOSPC: return "ENOSPC";
    case EROFS: return "EROFS";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EWOULDBLOCK: return "EWOULDBLOCK";
    default: return "EUNKNOWN";
  }
}

static napi_value throw_errno(napi_env env, const char *syscall, const char *path) {
  int e = errno;
  char msg[512];
  snprintf(msg, sizeof msg, "%s: %s, %s '%s'", errno_name(e), strerror(e), syscall, path ? path : "");
  napi_value code, message, err;
  napi_create_string_utf8(env, errno_name(e), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &err);
  napi_value errnoval, sc;
  napi_create_int32(env, -e, &errnoval);
  napi_set_named_property(env, err, "errno", errnoval);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, err, "syscall", sc);
  napi_throw(env, err);
  return NULL;
}

/* Reads argument i as a freshly allocated C string (NULL for null/undefined). */
static char *arg_string(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_string) return NULL;
  size_t len = 0;
  napi_get_value_string_utf8(env, v, NULL, 0, &len);
  char *s = malloc(len + 1);
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

static napi_value fn_mknod(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char *path = arg_string(env, argv[0]);
  uint32_t mode = 0, major_ = 0, minor_ = 0;
  napi_get_value_uint32(env, argv[1], &mode);
  napi_get_value_uint32(env, argv[2], &major_);
  napi_get_value_uint32(env, argv[3], &minor_);
  napi_value ret = NULL;
  if (!path) { napi_throw_type_error(env, NULL, "path must be a string"); return NULL; }
  if (mknod(path, mode, makedev(major_, minor_)) != 0) ret = throw_errno(env, "mknod", path);
  free(path);
  return ret;
}

static napi_value fn_lsetxattr(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char *path = arg_string(env, argv[0]);
  char *name = arg_string(env, argv[1]);
  void *data = NULL;
  size_t len = 0;
  napi_get_buffer_info(env, argv[2], &data, &len);
  napi_value ret = NULL;
  if (!path || !name) napi_throw_type_error(env, NULL, "path and name must be strings");
  else if (lsetxattr(path, name, data, len, 0) != 0) ret = throw_errno(env, "lsetxattr", path);
  free(path);
  free(name);
  return ret;
}

static napi_value fn_lgetxattr(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char *path = arg_string(env, argv[0]);
  char *name = arg_string(env, argv[1]);
  napi_value ret = NULL;
  if (!path || !name) { napi_throw_type_error(env, NULL, "path and name must be strings"); goto out; }
  ssize_t n = lgetxattr(path, name, NULL, 0);
  if (n < 0) {
    if (errno == ENODATA) napi_get_null(env, &ret);
    else ret = throw_errno(env, "lgetxattr", path);
    goto out;
  }
  void *buf;
  napi_create_buffer(env, (size_t)n, &buf, &ret);
  if (n > 0 && lgetxattr(path, name, buf, (size_t)n) < 0) ret = throw_errno(env, "lgetxattr", path);
out:
  free(path);
  free(name);
  return ret;
}

static napi_value fn_llistxattr(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char *path = arg_string(env, argv[0]);
  napi_value ret = NULL;
  if (!path) { napi_throw_type_error(env, NULL, "path must be a string"); return NULL; }
  ssize_t n = llistxattr(path, NULL, 0);
  if (n < 0) {
    if (errno == ENOTSUP) { napi_create_array(env, &ret); free(path); return ret; }
    ret = throw_errno(env, "llistxattr", path);
    free(path);
    return ret;
  }
  char *buf = malloc((size_t)n + 1);
  n = llistxattr(path, buf, (size_t)n);
  if (n < 0) { ret = throw_errno(env, "llistxattr", path); free(buf); free(path); return ret; }
  napi_create_array(env, &ret);
  uint32_t idx = 0;
  for (ssize_t off = 0; off < n;) {
    size_t l = strlen(buf + off);
    napi_value s;
    napi_create_string_utf8(env, buf + off, l, &s);
    napi_set_element(env, ret, idx++, s);
    off += (ssize_t)l + 1;
  }
  free(buf);
  free(path);
  return ret;
}

static napi_value fn_mount(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char *source = arg_string(env, argv[0]);
  char *target = arg_string(env, argv[1]);
  char *fstype = arg_string(env, argv[2]);
  double flags = 0;
  napi_get_value_double(env, argv[3], &flags);
  char *data = arg_string(env, argv[4]);
  napi_value ret = NULL;
  if (!target) napi_throw_type_error(env, NULL, "target must be a string");
  else if (mount(source, target, fstype, (unsigned long)flags, data) != 0) ret = throw_errno(env, "mount", target);
  free(source);
  free(target);
  free(fstype);
  free(data);
  return ret;
}

static napi_value fn_umount2(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char *target = arg_string(env, argv[0]);
  int32_t flags = 0;
  napi_get_value_int32(env, argv[1], &flags);
  napi_value ret = NULL;
  if (!target) napi_throw_type_error(env, NULL, "target must be a string");
  else if (umount2(target, flags) != 0) ret = throw_errno(env, "umount2", target);
  free(target);
  return ret;
}

/* flock(fd, LOCK_EX|LOCK_NB): the data-root lock that keeps a second daemon out. */
static napi_value fn_flock_exclusive(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  napi_get_value_int32(env, argv[0], &fd);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) return throw_errno(env, "flock", NULL);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"mknod", NULL, fn_mknod, NULL, NULL, NULL, napi_default, NULL},
    {"lsetxattr", NULL, fn_lsetxattr, NULL, NULL, NULL, napi_default, NULL},
    {"lgetxattr", NULL, fn_lgetxattr, NULL, NULL, NULL, napi_default, NULL},
    {"llistxattr", NULL, fn_llistxattr, NULL, NULL, NULL, napi_default, NULL},
    {"mount", NULL, fn_mount, NULL, NULL, NULL, napi_default, NULL},
    {"umount2", NULL, fn_umount2, NULL, NULL, NULL, napi_default, NULL},
    {"flockExclusive", NULL, fn_flock_exclusive, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

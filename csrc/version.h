/* version.h - the SDK version, shown in core.version and the default User-Agent. */
#ifndef HWC_VERSION_H
#define HWC_VERSION_H
#define HWC_VERSION "0.2.0"
#endif

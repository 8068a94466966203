// The shim is header-only (static inline); SwiftPM needs one C file per C target.
#include "CBridgeShim.h"

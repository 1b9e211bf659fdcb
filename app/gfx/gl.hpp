#pragma once
// libepoxy is the OpenGL function loader (glad is not packaged in Debian 12).
#include <epoxy/gl.h>

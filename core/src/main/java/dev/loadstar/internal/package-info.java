/** Implementation details shared across Loadstar's packages. Not API: anything here may change. */
@NullMarked
package dev.loadstar.internal;

import org.jspecify.annotations.NullMarked;

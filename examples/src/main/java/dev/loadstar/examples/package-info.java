/** Runnable examples: the zero-setup demo. */
@NullMarked
package dev.loadstar.examples;

import org.jspecify.annotations.NullMarked;

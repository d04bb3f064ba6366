/**
 * The code shown in the README's "Library examples", compiled by the build so that it cannot rot.
 * Each snippet sits between {@code // README:begin} and {@code // README:end} and appears verbatim
 * in the README; a test checks that they agree.
 */
@NullMarked
package dev.loadstar.examples.snippets;

import org.jspecify.annotations.NullMarked;

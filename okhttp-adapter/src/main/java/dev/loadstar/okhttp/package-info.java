/** The OkHttp adapter: an application interceptor that sends each call to a picked node. */
@NullMarked
package dev.loadstar.okhttp;

import org.jspecify.annotations.NullMarked;

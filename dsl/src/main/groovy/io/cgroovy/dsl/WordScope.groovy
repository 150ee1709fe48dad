package io.cgroovy.dsl

import java.lang.annotation.ElementType
import java.lang.annotation.Retention
import java.lang.annotation.RetentionPolicy
import java.lang.annotation.Target

/**
 * Names where the {@link Word}s of a class are written: {@code 'top'} (a recipe or shell line),
 * {@code 'container'} (inside {@code container(image) { ... }}), a handle's type ({@code 'Container'}). A class with
 * this annotation must also be listed in {@link Words#OWNERS}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target([ElementType.TYPE])
@interface WordScope {
    String value()
}

package sc.fiji.stylecrafter.engine.install;

import java.io.IOException;

/**
 * Whether a libtorch really loads on this machine, asked before an install puts it in place: a runtime that cannot be
 * loaded would otherwise break every later start. {@link ChildProcessLoadCheck} is the real one; tests of the install
 * steps give their own.
 */
@FunctionalInterface
public interface LoadCheck {

	/**
	 * Loads {@code candidate} (its {@code lib} and the JNI in its engine cache) and says what failed.
	 *
	 * @return {@code null} when it loads and computes, else the loader's message
	 */
	String problem(InstalledRuntime candidate) throws IOException, InterruptedException;
}

package sc.fiji.stylecrafter.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.Permission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.scijava.Cancelable;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

/**
 * A Fiji user's first generation (engine start, model load, sampling) opens no network connection: DJL's usage
 * tracking (a cloud metadata probe) and its native-library downloads stay off unless the user asks. Runs in a JVM of its
 * own (the plugin module forks one per test class), so DJL's engine starts here, under a security manager that
 * records and refuses every connection to a non-loopback address.
 */
class NoNetworkTest {

	static final class NoConnections extends SecurityManager {

		final List<String> attempts = Collections.synchronizedList(new ArrayList<>());

		@Override
		public void checkPermission(Permission perm) {}

		@Override
		public void checkPermission(Permission perm, Object context) {}

		@Override
		public void checkConnect(String host, int port) {
			if (loopback(host)) return;
			attempts.add(host + ":" + port);
			throw new SecurityException("network access to " + host + ":" + port + " during a StyleCrafter run");
		}

		@Override
		public void checkConnect(String host, int port, Object context) {
			checkConnect(host, port);
		}

		private static boolean loopback(String host) {
			if (host.equals("localhost")) return true;
			try {
				return host.matches("[0-9.:\\[\\]a-fA-F]+") && InetAddress.getByName(host).isLoopbackAddress();
			}
			catch (Exception e) {
				return false;
			}
		}
	}

	@Test
	void aFirstGenerationOpensNoConnection() throws Exception {
		Path golden = GoldenContext.folder();
		NoConnections guard = new NoConnections();
		try {
			System.setSecurityManager(guard);
		}
		catch (UnsupportedOperationException e) { // Java 24 and later have no security manager
			Assumptions.abort("this Java has no security manager to watch connections with");
		}
		try (GoldenContext g = GoldenContext.start()) {
			OpenImages.openPng(golden.resolve("style_1.png"), "style");
			Module m = g.context.service(ModuleService.class).run(g.context.service(CommandService.class).getCommand(StyleGuidedImageCommand.class), true,
				"style", "style", "prompt", GoldenSettings.prompt(), "width", GoldenSettings.width(), "height", GoldenSettings.height(), "steps", 2).get();
			assertTrue(!((Cancelable) m).isCanceled(), ((Cancelable) m).getCancelReason());
			assertNotNull((ImagePlus) m.getOutput("result"));
			assertEquals(List.of(), guard.attempts, "connections attempted");
		}
		finally {
			System.setSecurityManager(null);
			OpenImages.closeAll();
		}
	}
}

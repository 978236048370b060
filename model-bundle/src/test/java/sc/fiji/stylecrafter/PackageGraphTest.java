package sc.fiji.stylecrafter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The packages of the core import each other without a cycle, and each says in its {@code package-info.java} what it
 * holds and which of ours it uses: every package it really uses (by an import or a qualified name in code) must be
 * named there, so the floors the package docs describe are the floors the code has.
 */
class PackageGraphTest {

	private static final Path ROOT = Path.of("src/main/java/sc/fiji/stylecrafter");
	private static final Pattern REFERENCE = Pattern.compile("sc\\.fiji\\.stylecrafter\\.([a-z][\\w.]*?)\\.[A-Z]");
	private static final Pattern USES = Pattern.compile("Uses: ([^.]*(?:\\.[a-z][^.]*)*)\\.");

	/** package -> the packages of ours its code refers to */
	private static Map<String, Set<String>> graph() throws IOException {
		Map<String, Set<String>> out = new TreeMap<>();
		try (Stream<Path> files = Files.walk(ROOT)) {
			for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java")).toList()) {
				String pkg = ROOT.relativize(f.getParent()).toString().replace('/', '.').replace('\\', '.');
				String code = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
				Set<String> uses = out.computeIfAbsent(pkg, k -> new TreeSet<>());
				Matcher m = REFERENCE.matcher(code);
				while (m.find()) if (!m.group(1).equals(pkg)) uses.add(m.group(1));
			}
		}
		return out;
	}

	@Test
	void noPackageImportsOneThatImportsIt() throws IOException {
		Map<String, Set<String>> g = graph();
		List<List<String>> cycles = new ArrayList<>();
		// Tarjan's strongly connected components
		Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
		Deque<String> stack = new ArrayDeque<>();
		Set<String> onStack = new TreeSet<>();
		int[] next = { 0 };
		for (String v : g.keySet()) if (!index.containsKey(v)) connect(v, g, index, low, stack, onStack, next, cycles);
		System.out.println(g.size() + " packages; " + g.entrySet().stream().mapToInt(e -> e.getValue().size()).sum() + " package dependencies");
		assertTrue(cycles.isEmpty(), "packages that import each other: " + cycles);
	}

	private static void connect(String v, Map<String, Set<String>> g, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
		Set<String> onStack, int[] next, List<List<String>> cycles)
	{
		index.put(v, next[0]);
		low.put(v, next[0]++);
		stack.push(v);
		onStack.add(v);
		for (String w : g.getOrDefault(v, Set.of())) {
			if (!index.containsKey(w)) {
				connect(w, g, index, low, stack, onStack, next, cycles);
				low.put(v, Math.min(low.get(v), low.get(w)));
			}
			else if (onStack.contains(w)) low.put(v, Math.min(low.get(v), index.get(w)));
		}
		if (low.get(v).equals(index.get(v))) {
			List<String> component = new ArrayList<>();
			String w;
			do {
				w = stack.pop();
				onStack.remove(w);
				component.add(w);
			}
			while (!w.equals(v));
			if (component.size() > 1) cycles.add(component);
		}
	}

	@Test
	void everyPackageNamesWhatItUses() throws IOException {
		Map<String, Set<String>> g = graph();
		List<String> wrong = new ArrayList<>();
		for (Map.Entry<String, Set<String>> e : g.entrySet()) {
			Path info = ROOT.resolve(e.getKey().replace('.', '/')).resolve("package-info.java");
			assertTrue(Files.isRegularFile(info), e.getKey() + " has no package-info.java saying what it holds and uses");
			Matcher m = USES.matcher(Files.readString(info).replaceAll("\\s*\\n\\s*\\*\\s*", " "));
			assertTrue(m.find(), info + " has no 'Uses: ...' line");
			String uses = m.group(1);
			if (uses.contains("the core packages")) continue; // the command line may use any of the core
			Set<String> named = uses.equals("nothing of ours") ? Set.of() : new TreeSet<>(Arrays.asList(uses.split(",\\s*|\\s+and\\s+")));
			for (String used : e.getValue()) if (!named.contains(used)) wrong.add(e.getKey() + " uses " + used + " but its package-info names " + named);
		}
		assertEquals(List.of(), wrong);
	}
}

package sc.fiji.stylecrafter.io;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** Small helpers over sorted {@code key -> tensor} maps. */
public final class TensorMaps {

	private TensorMaps() {}

	/** Entries whose key equals {@code prefix} or starts with {@code prefix + "."} (a trailing dot is accepted). */
	public static <T> SortedMap<String, T> underPrefix(SortedMap<String, T> all, String prefix) {
		if (prefix == null || prefix.isEmpty()) return all;
		String p = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
		SortedMap<String, T> out = new TreeMap<>();
		T exact = all.get(p);
		if (exact != null) out.put(p, exact);
		out.putAll(all.subMap(p + ".", p + "/"));// '/' is the character after '.'
		return Collections.unmodifiableSortedMap(out);
	}

	/** Same entries with {@code prefix.} removed from every key (keys not under it are dropped). */
	public static <T> SortedMap<String, T> stripPrefix(SortedMap<String, T> all, String prefix) {
		String p = prefix.endsWith(".") ? prefix : prefix + ".";
		SortedMap<String, T> out = new TreeMap<>();
		for (var e : all.subMap(p, p.substring(0, p.length() - 1) + "/").entrySet()) {
			out.put(e.getKey().substring(p.length()), e.getValue());
		}
		return Collections.unmodifiableSortedMap(out);
	}
}

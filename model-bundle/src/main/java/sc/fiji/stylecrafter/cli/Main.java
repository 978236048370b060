package sc.fiji.stylecrafter.cli; public class Main { public static void main(String[] a){} }

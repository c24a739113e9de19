INSERT INTO _row_rejects BY NAME
SELECT
    file_id,
    pos,
    'repeated_header' AS rule,
    'Dòng lặp lại dòng tiêu đề (hai tệp xuất bị ghép nối?): không phải dữ liệu, bỏ qua.' AS reason,
    NULL AS value
FROM _header_lines
